import Catalog
import StoreModel

/// Mailbox management for IMAP (RFC 3501 §6.3, RFC 9051 §6.3, RFC 6154 SPECIAL-USE).
///
/// Every call takes the authenticated user (folded here) and mailbox names as the client gives
/// them: "/" separates levels, INBOX is case-insensitive. Names are checked by
/// `IMAPMailboxName.validate` before they reach the catalog, and the catalog finds a mailbox only
/// through the user's own address, so no session can name another user's mailbox. Failures are
/// `MailboxError`s. Every committed change is published on `mailboxChanges`.
extension MailboxService {
    /// LIST (RFC 3501 §6.3.8): every mailbox of the user, INBOX first, with SPECIAL-USE, subscription
    /// and whether it has children. The session applies the reference and pattern.
    public func list(of user: String) async throws(MailboxError) -> [MailboxListing] {
        try await catching {
            try await catalog.mailboxes.listMailboxes(of: AccountAddress.fold(user))
        }
    }

    /// LSUB / LIST (SUBSCRIBED): the subscribed names, which may include deleted mailboxes.
    public func subscriptions(of user: String) async throws(MailboxError) -> [String] {
        try await catching {
            try await catalog.mailboxes.subscriptions(of: AccountAddress.fold(user))
        }
    }

    /// CREATE (RFC 3501 §6.3.3): creates the mailbox and any missing superior levels, each with a
    /// fresh UIDVALIDITY. `specialUse` is one of RFC 6154 §2's attributes (CREATE-SPECIAL-USE, §3);
    /// an unknown one is `MailboxError.invalidName`, and a second `\Drafts` folder is refused
    /// (`.specialUseTaken`): drafts stay out of the archive only in the one drafts folder. Returns
    /// the names created, superiors first.
    @discardableResult
    public func createMailbox(_ name: String, specialUse: String? = nil, of user: String) async throws(MailboxError) -> [String] {
        try await catching {
            let mailbox = try IMAPMailboxName.validate(name)
            var use: String?
            if let specialUse {
                guard let canonical = IMAPMailboxName.specialUses[specialUse.lowercased()] else {
                    throw MailboxError.invalidName(specialUse)
                }
                use = canonical
                if canonical.lowercased() == "\\drafts",
                    try await catalog.mailboxes.listMailboxes(of: AccountAddress.fold(user))
                        .contains(where: { $0.specialUse?.lowercased() == "\\drafts" })
                {
                    throw MailboxError.specialUseTaken(canonical)
                }
            }
            return try await catalog.mailboxes.createMailbox(mailbox, of: AccountAddress.fold(user), specialUse: use, at: clock.now())
        }
    }

    /// DELETE (RFC 3501 §6.3.4): refuses INBOX and a mailbox with children (delete those first, as
    /// Dovecot asks); the messages leave the mailbox but never the archive.
    public func deleteMailbox(_ name: String, of user: String, by actor: AuditActor) async throws(MailboxError) {
        try await catching {
            let mailbox = try IMAPMailboxName.validate(name), address = AccountAddress.fold(user)
            try await catalog.mailboxes.deleteMailbox(mailbox, of: address)
            try await audit("imap delete", "user=\(address) mailbox=\(mailbox)", by: actor)
            await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .deleted))
        }
    }

    /// RENAME (RFC 3501 §6.3.5): children move along; missing superiors of the new name are created.
    /// A renamed mailbox keeps its UIDVALIDITY (values are unique across the catalog). Renaming INBOX
    /// moves its messages to the new name and leaves INBOX empty with a fresh UIDVALIDITY.
    public func renameMailbox(_ name: String, to newName: String, of user: String, by actor: AuditActor)
        async throws(MailboxError)
    {
        try await catching {
            let from = try IMAPMailboxName.validate(name), to = try IMAPMailboxName.validate(newName)
            let address = AccountAddress.fold(user)
            // A renamed drafts folder (or one renamed with its parent) becomes an ordinary folder:
            // its drafts are archived first, so the new name holds no unarchived message.
            for listing in try await catalog.mailboxes.listMailboxes(of: address)
            where listing.name == from || listing.name.hasPrefix(from + "/") {
                let renamedTo = to + listing.name.dropFirst(from.count)
                try await archiveDraftsFolder(listing.name, renamedTo: renamedTo, of: address, by: actor)
            }
            let renamed = try await catalog.mailboxes.renameMailbox(from, to: to, of: address, at: clock.now())
            try await audit("imap rename", "user=\(address) mailbox=\(from) to=\(to)", by: actor)
            await mailboxChanges.publish(renamed.map {
                MailboxChange(user: address, mailbox: $0.from, kind: .renamed(to: $0.to))
            })
        }
    }

    /// SUBSCRIBE (RFC 3501 §6.3.6); the mailbox need not exist.
    public func subscribe(_ name: String, of user: String) async throws(MailboxError) {
        try await catching {
            try await catalog.mailboxes.subscribe(try IMAPMailboxName.validate(name), of: AccountAddress.fold(user))
        }
    }

    /// UNSUBSCRIBE (RFC 3501 §6.3.7); returns whether the name was subscribed.
    @discardableResult
    public func unsubscribe(_ name: String, of user: String) async throws(MailboxError) -> Bool {
        try await catching {
            try await catalog.mailboxes.unsubscribe(try IMAPMailboxName.validate(name), of: AccountAddress.fold(user))
        }
    }

    /// STATUS (RFC 3501 §6.3.10): MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ (RFC 7162),
    /// SIZE (RFC 8438); RECENT is 0. Counts what the owner sees: not the messages a restriction
    /// of processing hides.
    public func status(_ name: String, of user: String) async throws(MailboxError) -> MailboxStatus {
        try await catching {
            try await catalog.mailboxes.status(of: try IMAPMailboxName.validate(name), of: AccountAddress.fold(user),
                                               hidingRestricted: true)
        }
    }
}
