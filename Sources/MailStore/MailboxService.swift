import Catalog
import StoreModel

extension MailboxError: StoreFailure {}

/// Users' folders and the messages in them, for IMAP and POP3 (and `tresor export --mailbox`).
/// Names are stored names ("INBOX", "Lists/swift"), checked by `IMAPMailboxName.validate`; users
/// are folded addresses. Each change is one catalog transaction, published to the sessions
/// watching the mailbox after the commit; APPEND, EXPUNGE, MOVE, DELETE, RENAME and POP3
/// deletions are audited with the user and the client's address.
public struct MailboxService: StoreService {
    typealias Failure = MailboxError
    let store: MailStore

    var mailboxChanges: MailboxChangeFeed { store.mailboxChanges }

    /// A user's mailboxes with their message counts, INBOX first; empty for an unknown user.
    public func mailboxes(of user: String) async throws(MailboxError) -> [MailboxInfo] {
        try await catching { try await catalog.mailboxes.mailboxes(of: AccountAddress.fold(user)) }
    }

    /// The messages of one of a user's mailboxes, in UID order, as the owner sees them (POP3's
    /// maildrop): without the messages a restriction of processing covers.
    public func messages(in mailbox: String, of user: String) async throws(MailboxError) -> [MailboxMessage] {
        try await catching {
            try await catalog.mailboxes.messages(in: mailbox, of: AccountAddress.fold(user), hidingRestricted: true)
        }
    }

    /// Subscribes to the changes of one of `user`'s mailboxes (IDLE). The name is checked like every
    /// other; the mailbox need not exist (yet).
    public func watch(_ name: String, of user: String) async throws(MailboxError) -> AsyncStream<MailboxChange> {
        let mailbox = try IMAPMailboxName.validate(name)
        return await mailboxChanges.subscribe(user: AccountAddress.fold(user), mailbox: mailbox)
    }

    /// Tells watchers of each mailbox a delivery placed messages into (once per mailbox).
    func publishPlacements(_ placements: [Placement]) async {
        var seen: Set<UserMailbox> = []
        var changes: [MailboxChange] = []
        for placement in placements
        where seen.insert(UserMailbox(user: placement.user, mailbox: placement.mailbox)).inserted {
            changes.append(MailboxChange(user: placement.user, mailbox: placement.mailbox, kind: .messagesAdded))
        }
        await mailboxChanges.publish(changes)
    }

}
