import MailStore
/// Why an export could not be written. Each names what the user can act on.
public enum ExportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `--out` names a folder that already has files in it.
    case destinationNotEmpty(path: String)
    /// The user has no folder of that name.
    case unknownFolder(user: String, folder: String)
    /// There is no legal hold of that name.
    case unknownLegalHold(String)
    /// The catalog lists a message whose bytes the archive (or draft store) does not have.
    case messageMissing(sha256: String)
    /// The bytes read do not hash to the SHA-256 the catalog names.
    case digestMismatch(expected: String, actual: String)
    /// `DATA/archive/HEAD` does not decode or is not signed by the archive key.
    case archiveHeadInvalid(path: String)
    /// The archive's private key could not be read.
    case signingKeyUnavailable(path: String)
    /// A file-system call failed.
    case io(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .destinationNotEmpty(let path): "\(path) exists and is not empty: choose a new folder for --out"
        case .unknownFolder(let user, let folder): "\(user) has no folder \"\(folder)\""
        case .unknownLegalHold(let name): "no legal hold named \"\(name)\""
        case .messageMissing(let sha256):
            "message \(sha256) is in the catalog but its bytes are not in the archive: run `tresor verify`"
        case .digestMismatch(let expected, let actual):
            "message \(expected) reads back with SHA-256 \(actual): run `tresor verify`"
        case .archiveHeadInvalid(let path):
            "\(path) does not decode or is not signed by the archive key: run `tresor verify`"
        case .signingKeyUnavailable(let path): "cannot read the archive's signing key \(path)"
        case .io(let operation, let path, let errno): "\(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
