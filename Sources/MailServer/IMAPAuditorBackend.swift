import IMAPServer
import Logging
import MailStore
import ServerKit

/// An auditor's IMAP view: the read-only tree `AuditorScope` builds from their scope —
/// `Cases/<HOLD>`, `Archive/<YYYY>/<MM>`, `Searches/<NAME>` and an empty INBOX — over the archive
/// (`ComplianceService+AuditorView`), never over a user's mailboxes.
///
/// - UIDs are the catalog's message row ids (they ascend with archive order); UIDVALIDITY comes
///   from the folder's definition, so a changed scope or query makes a new one (RFC 3501 §2.3.1.1).
/// - Every snapshot is `readOnly`: SELECT answers [READ-ONLY] and behaves as EXAMINE, so FETCH
///   never sets `\Seen` and no flag is ever stored (RFC 3501 §6.3.2); STORE and EXPUNGE are refused
///   by the session, CREATE, DELETE, RENAME, APPEND and COPY/MOVE by `IMAPRoutingBackend` before
///   they reach storage, with NO [CANNOT] and `readOnlyText`.
/// - Every read of a message's bytes is audited with the operator's name and the client address
///   the connection carries (`SessionContext.clientAddress`, a task-local of that connection only).
/// - The scope is looked up afresh on every call, so a revoked operator's session gets NO from then on.
struct IMAPAuditorBackend: Sendable {
    let store: MailStore
    let logger: Logger

    static let readOnlyText = "The auditor's archive view is read-only: nothing can be created, changed or removed"

    func authenticate(username: String, password: String, session: IMAPSessionInfo) async -> String? {
        await store.compliance.authenticateAuditor(username, password: password, client: session.clientAddress,
                                                   protocolName: "imap")
    }

    func mailboxes(of name: String) async throws(IMAPBackendError) -> [IMAPMailboxInfo] {
        let folders = try await mapped(name) { scope in try await store.compliance.auditorFolders(of: scope) }
        return folders.compactMap { folder in (try? MailboxName(folder.name)).map { IMAPMailboxInfo(name: $0, subscribed: true) } }
    }

    func status(of mailbox: MailboxName, user name: String) async throws(IMAPBackendError) -> IMAPMailboxStatus {
        let view = try await folderView(mailbox, of: name)
        return IMAPMailboxStatus(
            messages: UInt32(clamping: view.messages.count), unseen: 0, deleted: 0,
            size: UInt64(clamping: view.messages.reduce(0) { $0 + $1.transmittedSize }),
            uidNext: Self.uidNext(view), uidValidity: view.uidValidity, highestModSeq: 1)
    }

    /// The auditor's folders are views of the archive, not places mail arrives in: nothing in
    /// them is \Recent (RFC 3501 §2.3.2 ties the flag to arrival in a mailbox).
    func claimRecent(_ uids: [UInt32], in mailbox: MailboxName, uidValidity: UInt32, consume: Bool, user: String) async
        -> Set<UInt32>
    {
        []
    }

    func select(_ mailbox: MailboxName, user name: String) async throws(IMAPBackendError) -> IMAPMailboxSnapshot {
        let view = try await folderView(mailbox, of: name)
        return IMAPMailboxSnapshot(uidValidity: view.uidValidity, uidNext: Self.uidNext(view), highestModSeq: 1,
                                   messages: view.messages.map(Self.info), readOnly: true)
    }

    /// The tree changes only when mail arrives in the scope or governance changes it; a session
    /// sees that at its next SELECT (nothing is ever expunged or flagged here).
    func changes(in mailbox: MailboxName, since modSeq: UInt64, user name: String) async throws(IMAPBackendError)
        -> IMAPMailboxChanges
    {
        let view = try await folderView(mailbox, of: name, selected: true)
        return IMAPMailboxChanges(uidValidity: view.uidValidity, uidNext: Self.uidNext(view), highestModSeq: 1,
                                  messages: modSeq < 1 ? view.messages.map(Self.info) : [], expunged: [])
    }

    func messages(_ uids: [UInt32], in mailbox: MailboxName, user name: String) async throws(IMAPBackendError)
        -> [UInt32: [UInt8]]
    {
        guard let folder = AuditorFolder(name: mailbox.name) else { throw .mailboxGone }
        let client = SessionContext.clientAddress
        return try await mapped(name) { scope in
            try await store.compliance.auditorMessages(uids, in: folder, of: scope, client: client)
        }
    }

    // MARK: - Helpers

    private func folderView(_ mailbox: MailboxName, of name: String, selected: Bool = false)
        async throws(IMAPBackendError) -> AuditorFolderView
    {
        guard let folder = AuditorFolder(name: mailbox.name) else { throw selected ? .mailboxGone : .nonExistent }
        let view = try await mapped(name) { scope in try await store.compliance.auditorFolder(folder, of: scope) }
        guard let view else { throw selected ? .mailboxGone : .nonExistent }
        return view
    }

    static func uidNext(_ view: AuditorFolderView) -> UInt32 {
        (view.messages.last?.uid).map { $0 == .max ? $0 : $0 + 1 } ?? 1
    }

    static func info(_ message: AuditorFolderView.Message) -> IMAPMessageInfo {
        IMAPMessageInfo(uid: message.uid, flags: [], modSeq: 1, internalDate: IMAPDateTime(message.archivedAt),
                        size: message.transmittedSize)
    }

    /// Resolves the operator's scope now (none: revoked or no longer allowed → NO [NOPERM]) and
    /// runs `body` with it; storage failures are logged and become `.unavailable`.
    private func mapped<T>(_ name: String, _ body: (AuditorScope) async throws -> T) async throws(IMAPBackendError) -> T {
        let scope: AuditorScope?
        do {
            scope = try await store.compliance.auditorScope(of: name)
        } catch {
            logger.error("imap: auditor scope failed", metadata: ["operator": "\(name)", "error": "\(error)"])
            throw .unavailable
        }
        guard let scope else { throw .noPermission }
        do {
            return try await body(scope)
        } catch {
            logger.error("imap: auditor view failed", metadata: ["operator": "\(name)", "error": "\(error)"])
            throw .unavailable
        }
    }
}
