import ArchiveStore
import Catalog
import Dispatch
import Synchronization

extension MailStore {
    /// Removes messages from a user's mailbox by UID in one catalog transaction (POP3 UPDATE,
    /// RFC 1939 §6), with a new MODSEQ and tombstones as an IMAP EXPUNGE has, and tells IMAP
    /// sessions watching the mailbox. The archive keeps every message and search still finds it.
    @discardableResult
    public func removeMessages(uids: [UInt32], from mailbox: String, of user: String) async throws -> Int {
        let address = AccountAddress.fold(user)
        let removed = try await catalog.mailboxes.removeMessages(uids: uids, from: mailbox, of: address)
        if removed > 0 {
            await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .messagesExpunged))
        }
        return removed
    }

    /// A message's stored bytes by its sha256, or nil when the archive has no such body. The
    /// archive read is blocking file I/O, so it runs on a Dispatch queue, never on an event loop
    /// or a thread of the cooperative pool.
    /// A message whose archive copy an `.archiveOnly` purge removed is read from its kept copy.
    public func content(sha256: String) async throws -> [UInt8]? {
        let archive = self.archive
        let archived: [UInt8]? = try await withCheckedThrowingContinuation { continuation in
            MaildropLocks.readQueue.async {
                do { continuation.resume(returning: try archive.readBody(sha256: sha256)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        if let archived { return archived }
        return try await catalog.governance.keptCopy(sha256: sha256)
    }
}

/// Which users' maildrops are open, so that a second POP3 session for the same user is refused
/// (RFC 1939 §8: the maildrop is locked while a session holds it; RFC 2449 §8.1.1 [IN-USE]).
/// In-process: one `tresor serve` owns the POP3 listeners.
public final class MaildropLocks: Sendable {
    static let readQueue = DispatchQueue(label: "tresor.maildrop-read", attributes: .concurrent)
    private let held = Mutex<Set<String>>([])

    public init() {}

    /// Takes the lock for `user`; false when another session holds it.
    public func acquire(_ user: String) -> Bool {
        held.withLock { $0.insert(AccountAddress.fold(user)).inserted }
    }

    public func release(_ user: String) {
        _ = held.withLock { $0.remove(AccountAddress.fold(user)) }
    }

    public func isHeld(_ user: String) -> Bool {
        held.withLock { $0.contains(AccountAddress.fold(user)) }
    }
}
