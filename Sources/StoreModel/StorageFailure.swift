/// What failed below a service: the archive or the catalog, told in words a log and an operator
/// can use, with the two outcomes a protocol answers differently (a full disk, a message larger
/// than the archive takes).
public struct StorageFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No space left on the device (ENOSPC): a client should retry later.
        case diskFull
        /// Larger than the archive accepts.
        case tooLarge(size: Int, limit: Int)
        /// A file failed a check (CRC, hash, format): run `tresor verify`.
        case damaged
        /// Anything else: a failed write, a closed store, a busy database.
        case unavailable
    }

    public var kind: Kind
    public var description: String

    public init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }
}
