import GRDB
import StoreModel

/// The keywords a mailbox holds, and the bound on how many (`MailboxLimits.keywordsPerMailbox`).
extension Catalog {
    /// Every keyword in use in mailbox `box`, folded to lower case (keywords compare without regard
    /// to case, RFC 3501 §2.3.2).
    static func keywordsInUse(in box: Int64, _ db: Database) throws -> Set<String> {
        var keywords: Set<String> = []
        let lists = try String.fetchAll(db, sql: """
            SELECT DISTINCT keywords FROM mailbox_message WHERE mailbox = ? AND keywords <> ''
            """, arguments: [box])
        for list in lists {
            for keyword in list.split(separator: " ") { keywords.insert(keyword.lowercased()) }
        }
        return keywords
    }

    /// Throws `MailboxError.limit` when `flags` would take mailbox `box` past the bound.
    static func requireKeywordRoom(for flags: MessageFlags, in box: Int64, _ db: Database) throws {
        guard !flags.keywords.isEmpty else { return }
        var keywords = try keywordsInUse(in: box, db)
        let before = keywords.count
        for keyword in flags.keywords { keywords.insert(keyword.lowercased()) }
        guard keywords.count > MailboxLimits.keywordsPerMailbox, keywords.count > before else { return }
        throw MailboxError.limit("the mailbox would hold \(keywords.count) keywords; at most "
                                 + "\(MailboxLimits.keywordsPerMailbox) (remove unused ones first)")
    }
}

extension CatalogMailboxes {
    /// Throws `MailboxError.limit` when APPENDing a message with `flags` would take the mailbox past
    /// `MailboxLimits.keywordsPerMailbox` keywords (checked before the message is journaled).
    public func requireKeywordRoom(for flags: MessageFlags, in name: String, of email: String) async throws {
        guard !flags.keywords.isEmpty else { return }
        try await pool.read { db in
            try Catalog.requireKeywordRoom(for: flags, in: try Catalog.mailboxRow(name, of: email, in: db).id, db)
        }
    }
}
