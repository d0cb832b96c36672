/// A user's own storage quota setting (RFC 9208 STORAGE), as `tresor user quota` sets it.
public enum StorageQuota: Hashable, Sendable {
    /// The default of the configuration (`[quota] default_storage`), which may be none.
    case inherited
    /// No limit, whatever the default.
    case unlimited
    /// At most this many octets: the sum of RFC822.SIZE of the messages in the user's mailboxes.
    case octets(Int64)

    /// The limit in octets that applies, given the configured default (nil: none).
    public func limit(default defaultLimit: Int64?) -> Int64? {
        switch self {
        case .inherited: defaultLimit
        case .unlimited: nil
        case .octets(let octets): octets
        }
    }
}
