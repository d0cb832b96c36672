import Catalog
import StoreModel

/// Storage quotas (RFC 9208 STORAGE): what counts is the sum of the sizes of the messages in the
/// user's mailboxes. A quota limits what the user adds over IMAP (APPEND, COPY); delivered mail
/// is always journaled and placed, over quota or not, so that no message of the record is turned
/// away or left without a mailbox (see README, "Quotas").
extension AccountService {
    /// The user's own setting (`.inherited`: the configuration's default applies).
    public func storageQuota(of email: String) async throws(AccountError) -> StorageQuota {
        try await catching {
            try await catalog.accounts.storageQuota(of: AccountAddress.fold(email))
        }
    }

    /// `tresor user quota NAME SIZE|none|default`; audited.
    public func setStorageQuota(_ quota: StorageQuota, of email: String, by actor: AuditActor) async throws(AccountError) {
        try await catching {
            let address = AccountAddress.fold(email)
            try await catalog.accounts.setStorageQuota(quota, of: address)
            let setting = switch quota {
            case .inherited: "default"
            case .unlimited: "none"
            case .octets(let octets): "\(octets)"
            }
            try await audit("user quota", "\(address) storage=\(setting)", by: actor)
        }
    }

    /// The octets in the user's mailboxes (RFC822.SIZE summed over every placement).
    public func storageUsed(by email: String) async throws(AccountError) -> Int64 {
        try await catching {
            try await catalog.accounts.storageUsed(by: AccountAddress.fold(email))
        }
    }
}
