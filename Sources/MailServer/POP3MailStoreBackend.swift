import Logging
import MailStore
import POP3Server
import ServerKit
import Synchronization

/// The POP3 listeners' view of storage: `POP3Backend` over `MailStore`. The maildrop is the
/// user's INBOX.
///
/// UIDL values are `UIDVALIDITY.UID` of the INBOX placement (e.g. `1764412345.17`): a UID is
/// never reused within a mailbox (RFC 3501 §2.3.1.1) and UIDVALIDITY changes only if the
/// mailbox is re-created, so the value is stable across sessions and restarts and never names
/// another message (RFC 1939 §7).
struct POP3MailStoreBackend: POP3Backend {
    let store: MailStore
    let logger: Logger
    /// Where logins are counted (`[metrics]`).
    var metrics: ServerMetrics?
    /// Shared with the SMTP listeners: failures count per client IP across protocols.
    let locks = MaildropLocks()
    /// RETR sizes by body sha256 (bodies are immutable, so a size never goes stale).
    private let sizes = TransmittedSizes()

    init(store: MailStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// A wrong password is answered after the store's throttle delay (wrong passwords are slowed
    /// down), as SMTP AUTH is; the store answers unknown users in the same time.
    func authenticate(username: String, password: String, session: POP3SessionInfo) async -> String? {
        let user = await store.accounts.authenticate(username, password: password, client: session.clientAddress,
                                                     protocolName: "pop3")
        metrics?.login(protocol: "pop3", succeeded: user != nil)
        return user
    }

    func openMaildrop(of user: String) async -> POP3MaildropOpening {
        guard locks.acquire(user) else { return .inUse }
        do {
            guard let inbox = try await store.mailboxes.mailboxes(of: user).first(where: { $0.name == "INBOX" }) else {
                locks.release(user)
                return .unavailable
            }
            var list: [POP3MessageInfo] = []
            for message in try await store.mailboxes.messages(in: "INBOX", of: user) {
                guard let size = try await transmittedSize(of: message) else { continue }
                list.append(POP3MessageInfo(key: "\(message.uid) \(message.sha256)",
                                            uniqueID: "\(inbox.uidValidity).\(message.uid)", size: size))
            }
            return .opened(list)
        } catch {
            logger.error("maildrop cannot be opened", metadata: ["user": "\(user)", "error": "\(error)"])
            locks.release(user)
            return .unavailable
        }
    }

    func content(of message: POP3MessageInfo, user: String) async -> [UInt8]? {
        guard let sha256 = message.key.split(separator: " ").last else { return nil }
        do {
            return try await store.reader.content(sha256: String(sha256))
        } catch {
            logger.error("message cannot be read", metadata: ["sha256": "\(sha256)", "error": "\(error)"])
            return nil
        }
    }

    /// RFC 1939 §6: the marked placements leave the INBOX in one catalog transaction; the
    /// archive keeps the messages (and search finds them). The removal is audited.
    func commitDeletions(_ messages: [POP3MessageInfo], user: String) async -> Bool {
        let uids = messages.compactMap { $0.key.split(separator: " ").first.flatMap { UInt32($0) } }
        do {
            try await store.mailboxes.removeMessages(uids: uids, from: "INBOX", of: user, by: .user(user, client: SessionContext.clientAddress))
            return true
        } catch {
            logger.error("POP3 update failed", metadata: ["user": "\(user)", "error": "\(error)"])
            return false
        }
    }

    func closeMaildrop(of user: String) async {
        locks.release(user)
    }

    /// The size RETR will report; the body is read once per sha256. Nil when the archive lacks
    /// the body (the message is then left out of the listing).
    private func transmittedSize(of message: MailboxMessage) async throws -> Int? {
        if let size = sizes[message.sha256] { return size }
        guard let body = try await store.reader.content(sha256: message.sha256) else {
            logger.error("placed message missing from the archive", metadata: ["sha256": "\(message.sha256)"])
            return nil
        }
        let size = POP3MessageEncoding.transmittedSize(of: body)
        sizes[message.sha256] = size
        return size
    }
}

/// A bounded table of RETR sizes by body sha256, shared by every POP3 session.
final class TransmittedSizes: Sendable {
    private let table = Mutex<[String: Int]>([:])
    private let maximumCount = 200_000

    subscript(sha256: String) -> Int? {
        get { table.withLock { $0[sha256] } }
        set {
            table.withLock { table in
                if table.count >= maximumCount { table.removeAll() }
                table[sha256] = newValue
            }
        }
    }
}
