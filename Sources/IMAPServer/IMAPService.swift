import Logging
import ServerKit
import ServiceLifecycle

/// One IMAP listener (plain with STARTTLS, or implicit TLS) as a swift-service-lifecycle
/// `Service`. Graceful shutdown stops accepting, lets commands in flight finish, and closes idle
/// sessions (also those in IDLE) with `* BYE [UNAVAILABLE]`.
public struct IMAPService: Service {
    private let listener: Listener<IMAPConnectionHandler<AnyIMAPBackend>>

    public init(
        kind: IMAPListenerKind, host: String, port: Int, configuration: IMAPConfiguration, backend: some IMAPBackend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(kind != .implicitTLS || configuration.tls != nil, "implicit TLS needs a TLS context")
        listener = Listener(
            host: host, port: port, implicitTLS: kind == .implicitTLS ? configuration.tls : nil,
            connectionsPerAddress: configuration.connectionsPerAddress,
            handler: IMAPConnectionHandler(kind: kind, configuration: configuration, backend: AnyIMAPBackend(backend)),
            logger: logger, onBound: onBound)
    }

    public func run() async throws {
        try await listener.run()
    }
}

/// Type erasure, so that `IMAPService` is not generic over its backend.
struct AnyIMAPBackend: IMAPBackend {
    private let base: any IMAPBackend

    init(_ base: some IMAPBackend) { self.base = base }

    func authenticate(username: String, password: String, session: IMAPSessionInfo) async -> String? {
        await base.authenticate(username: username, password: password, session: session)
    }
    func mailboxes(of user: String) async throws(IMAPBackendError) -> [IMAPMailboxInfo] {
        try await base.mailboxes(of: user)
    }
    func create(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        try await base.create(mailbox, user: user)
    }
    func delete(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        try await base.delete(mailbox, user: user)
    }
    func rename(_ mailbox: MailboxName, to newName: MailboxName, user: String) async throws(IMAPBackendError) {
        try await base.rename(mailbox, to: newName, user: user)
    }
    func setSubscribed(_ mailbox: MailboxName, _ subscribed: Bool, user: String) async throws(IMAPBackendError) {
        try await base.setSubscribed(mailbox, subscribed, user: user)
    }
    func status(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxStatus {
        try await base.status(of: mailbox, user: user)
    }
    func select(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxSnapshot {
        try await base.select(mailbox, user: user)
    }
    func changes(in mailbox: MailboxName, since modSeq: UInt64, user: String) async throws(IMAPBackendError)
        -> IMAPMailboxChanges
    {
        try await base.changes(in: mailbox, since: modSeq, user: user)
    }
    func changeNotifications(for mailbox: MailboxName, user: String) async -> AsyncStream<Void> {
        await base.changeNotifications(for: mailbox, user: user)
    }
    func messages(_ uids: [UInt32], in mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [UInt32: [UInt8]]
    {
        try await base.messages(uids, in: mailbox, user: user)
    }
    func store(_ change: IMAPFlagChange, uids: [UInt32], unchangedSince: UInt64?, in mailbox: MailboxName, user: String)
        async throws(IMAPBackendError) -> IMAPStoreResult
    {
        try await base.store(change, uids: uids, unchangedSince: unchangedSince, in: mailbox, user: user)
    }
    func copy(_ uids: [UInt32], from mailbox: MailboxName, to destination: MailboxName, move: Bool, user: String)
        async throws(IMAPBackendError) -> IMAPCopyResult
    {
        try await base.copy(uids, from: mailbox, to: destination, move: move, user: user)
    }
    func expunge(_ uids: [UInt32]?, in mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [UInt32] {
        try await base.expunge(uids, in: mailbox, user: user)
    }
    func append(_ message: [UInt8], flags: [IMAPFlag], internalDate: IMAPDateTime?, to mailbox: MailboxName,
                user: String) async throws(IMAPBackendError) -> IMAPAppendResult {
        try await base.append(message, flags: flags, internalDate: internalDate, to: mailbox, user: user)
    }
    func searchCandidates(containing terms: [String], in mailbox: MailboxName, user: String) async -> Set<UInt32>? {
        await base.searchCandidates(containing: terms, in: mailbox, user: user)
    }
}
