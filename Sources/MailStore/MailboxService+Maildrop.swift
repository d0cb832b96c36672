import Catalog
import StoreModel
import Synchronization

extension MailboxService {
    /// Removes messages from a user's mailbox by UID in one catalog transaction (POP3 UPDATE,
    /// RFC 1939 §6), with a new MODSEQ and tombstones as an IMAP EXPUNGE has, and tells IMAP
    /// sessions watching the mailbox. The archive keeps every message and search still finds it.
    @discardableResult
    public func removeMessages(uids: [UInt32], from mailbox: String, of user: String, by actor: AuditActor)
        async throws(MailboxError) -> Int
    {
        try await catching {
            let address = AccountAddress.fold(user)
            let removed = try await catalog.mailboxes.removeMessages(uids: uids, from: mailbox, of: address)
            try await audit("pop3 dele", "user=\(address) mailbox=\(mailbox) uids=\(Self.uidList(uids))", count: removed,
                            by: actor)
            if removed > 0 {
                await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .messagesExpunged))
            }
            return removed
        }
    }
}

/// Which users' maildrops are open, so that a second POP3 session for the same user is refused
/// (RFC 1939 §8: the maildrop is locked while a session holds it; RFC 2449 §8.1.1 [IN-USE]).
/// In-process: one `tresor serve` owns the POP3 listeners.
public final class MaildropLocks: Sendable {
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
