import IMAPServer
import MailStore

/// QUOTA (RFC 9208) over the store: one quota root per user, named "", holding every mailbox of
/// the user, with the STORAGE resource — the sum of RFC822.SIZE of the messages in them. The
/// limit is the user's own (`tresor user quota`) or `[quota] default_storage`.
extension IMAPMailStoreBackend {
    static let quotaRoot = ""

    /// The user's quota, or nil when no limit applies.
    func storageQuota(of user: String) async throws(IMAPBackendError) -> IMAPQuota? {
        try await mapped(user: user) {
            let setting = try await store.accounts.storageQuota(of: user)
            guard let limit = setting.limit(default: defaultStorageQuota) else { return nil }
            let used = try await store.accounts.storageUsed(by: user)
            return IMAPQuota(root: Self.quotaRoot, usedOctets: UInt64(max(0, used)), limitOctets: UInt64(max(0, limit)))
        }
    }

    /// RFC 9208 §4.3: every mailbox is under the user's root (when a limit applies).
    func quotas(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [IMAPQuota] {
        _ = try await mapped(user: user) { try await store.mailboxes.status(mailbox.name, of: user) }
        return try await storageQuota(of: user).map { [$0] } ?? []
    }

    /// RFC 9208 §4.2.
    func quota(root: String, user: String) async throws(IMAPBackendError) -> IMAPQuota? {
        root == Self.quotaRoot ? try await storageQuota(of: user) : nil
    }

    /// RFC 9208 §4.1: `.overQuota` (NO [OVERQUOTA]) when `octets` more would pass the limit.
    func checkQuota(adding octets: UInt64, user: String) async throws(IMAPBackendError) {
        guard let quota = try await storageQuota(of: user), quota.exceeded(adding: octets) else { return }
        throw .overQuota
    }

    /// The same for a COPY: the sizes of the messages copied, read only when a limit applies.
    func checkQuota(copying uids: [UInt32], from mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        guard let quota = try await storageQuota(of: user) else { return }
        let wanted = Set(uids)
        let octets = try await mapped(user: user, selected: mailbox) {
            try await store.mailboxes.snapshot(mailbox.name, of: user).messages
                .filter { wanted.contains($0.uid) }
                .reduce(UInt64(0)) { $0 + UInt64(max(0, $1.transmittedSize ?? $1.size)) }
        }
        if quota.exceeded(adding: octets) { throw .overQuota }
    }
}
