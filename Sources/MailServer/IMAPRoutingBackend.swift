import IMAPServer
import Logging
import MailStore

/// The IMAP listeners' one backend: mail users and auditors behind one login. A login name with
/// "@" is an account (`IMAPMailStoreBackend`: accounts always contain "@"); one without names an
/// operator (`IMAPAuditorBackend`: the read-only archive view of their scope). Both authenticate
/// under the session's same AUTH and TLS rules and the store's one login throttle. After login the
/// name the backend returned decides again, so an operator's session never reaches a user's
/// mailboxes and a user's never reaches the archive view.
struct IMAPRoutingBackend: IMAPBackend {
    let users: IMAPMailStoreBackend
    let auditors: IMAPAuditorBackend
    /// Where logins are counted (`[metrics]`).
    var metrics: ServerMetrics?

    init(store: MailStore, logger: Logger, defaultStorageQuota: Int64? = nil) {
        users = IMAPMailStoreBackend(store: store, logger: logger, defaultStorageQuota: defaultStorageQuota)
        auditors = IMAPAuditorBackend(store: store, logger: logger)
    }

    static func isOperator(_ name: String) -> Bool { !name.contains("@") }

    func authenticate(username: String, password: String, session: IMAPSessionInfo) async -> String? {
        let user = Self.isOperator(username)
            ? await auditors.authenticate(username: username, password: password, session: session)
            : await users.authenticate(username: username, password: password, session: session)
        metrics?.login(protocol: "imap", succeeded: user != nil)
        return user
    }

    func mailboxes(of user: String) async throws(IMAPBackendError) -> [IMAPMailboxInfo] {
        Self.isOperator(user) ? try await auditors.mailboxes(of: user) : try await users.mailboxes(of: user)
    }

    func create(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        try await users.create(mailbox, user: user)
    }

    func create(_ mailbox: MailboxName, specialUse: String, user: String) async throws(IMAPBackendError) {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        try await users.create(mailbox, specialUse: specialUse, user: user)
    }

    /// RFC 9208: users have a storage quota root; the auditors' read-only view has none.
    func quotas(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [IMAPQuota] {
        Self.isOperator(user) ? [] : try await users.quotas(of: mailbox, user: user)
    }

    func quota(root: String, user: String) async throws(IMAPBackendError) -> IMAPQuota? {
        Self.isOperator(user) ? nil : try await users.quota(root: root, user: user)
    }

    func delete(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        try await users.delete(mailbox, user: user)
    }

    func rename(_ mailbox: MailboxName, to newName: MailboxName, user: String) async throws(IMAPBackendError) {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        try await users.rename(mailbox, to: newName, user: user)
    }

    /// Subscriptions are not kept for auditors: every folder of their tree is listed as subscribed,
    /// and SUBSCRIBE/UNSUBSCRIBE change nothing (clients that subscribe on first use go on working).
    func setSubscribed(_ mailbox: MailboxName, _ subscribed: Bool, user: String) async throws(IMAPBackendError) {
        guard !Self.isOperator(user) else { return }
        try await users.setSubscribed(mailbox, subscribed, user: user)
    }

    func status(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxStatus {
        Self.isOperator(user) ? try await auditors.status(of: mailbox, user: user)
            : try await users.status(of: mailbox, user: user)
    }

    func select(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxSnapshot {
        Self.isOperator(user) ? try await auditors.select(mailbox, user: user) : try await users.select(mailbox, user: user)
    }

    func changes(in mailbox: MailboxName, since modSeq: UInt64, user: String) async throws(IMAPBackendError)
        -> IMAPMailboxChanges
    {
        Self.isOperator(user) ? try await auditors.changes(in: mailbox, since: modSeq, user: user)
            : try await users.changes(in: mailbox, since: modSeq, user: user)
    }

    /// Auditors' folders publish no changes (IDLE waits until the client ends it).
    func changeNotifications(for mailbox: MailboxName, user: String) async -> AsyncStream<Void> {
        guard !Self.isOperator(user) else { return AsyncStream { _ in } }
        return await users.changeNotifications(for: mailbox, user: user)
    }

    func messages(_ uids: [UInt32], in mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [UInt32: [UInt8]]
    {
        Self.isOperator(user) ? try await auditors.messages(uids, in: mailbox, user: user)
            : try await users.messages(uids, in: mailbox, user: user)
    }

    func store(_ change: IMAPFlagChange, uids: [UInt32], unchangedSince: UInt64?, in mailbox: MailboxName, user: String)
        async throws(IMAPBackendError) -> IMAPStoreResult
    {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        return try await users.store(change, uids: uids, unchangedSince: unchangedSince, in: mailbox, user: user)
    }

    func copy(_ uids: [UInt32], from mailbox: MailboxName, to destination: MailboxName, move: Bool, user: String)
        async throws(IMAPBackendError) -> IMAPCopyResult
    {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        return try await users.copy(uids, from: mailbox, to: destination, move: move, user: user)
    }

    func expunge(_ uids: [UInt32]?, in mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [UInt32] {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        return try await users.expunge(uids, in: mailbox, user: user)
    }

    func append(_ message: [UInt8], flags: [IMAPFlag], internalDate: IMAPDateTime?, to mailbox: MailboxName,
                user: String) async throws(IMAPBackendError) -> IMAPAppendResult {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        return try await users.append(message, flags: flags, internalDate: internalDate, to: mailbox, user: user)
    }

    func appendAll(_ messages: [IMAPAppendItem], to mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [IMAPAppendResult]
    {
        guard !Self.isOperator(user) else { throw .cannot(IMAPAuditorBackend.readOnlyText) }
        return try await users.appendAll(messages, to: mailbox, user: user)
    }

    /// No index narrowing for auditors: the session checks each message of the folder itself.
    func claimRecent(_ uids: [UInt32], in mailbox: MailboxName, uidValidity: UInt32, consume: Bool, user: String) async
        -> Set<UInt32>
    {
        Self.isOperator(user) ? await auditors.claimRecent(uids, in: mailbox, uidValidity: uidValidity, consume: consume, user: user)
            : await users.claimRecent(uids, in: mailbox, uidValidity: uidValidity, consume: consume, user: user)
    }

    func searchCandidates(containing terms: [String], in mailbox: MailboxName, user: String) async -> Set<UInt32>? {
        Self.isOperator(user) ? nil : await users.searchCandidates(containing: terms, in: mailbox, user: user)
    }
}
