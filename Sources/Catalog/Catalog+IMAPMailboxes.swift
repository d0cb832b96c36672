import Foundation
import GRDB
import StoreModel

/// Mailbox management for IMAP (RFC 3501 §6.3, RFC 9051 §6.3). Names arrive validated and in their
/// stored form (MailStore checks them): levels separated by "/", "INBOX" in upper case. Every
/// function takes the user's folded email and reaches that user's rows only.
extension Catalog {
    // MARK: - Helpers

    static func mailboxExists(_ name: String, user: Int64, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM mailbox WHERE user = ? AND name = ?", arguments: [user, name]) ?? false
    }

    /// Creates the missing superior levels of `name` ("a" and "a/b" for "a/b/c"), unsubscribed like
    /// the mailbox CREATE makes; returns their names.
    fileprivate static func createSuperiors(of name: String, user: Int64, at time: Date, in db: Database) throws -> [String] {
        var created: [String] = []
        var level = name.startIndex
        while let slash = name[level...].firstIndex(of: "/") {
            let superior = String(name[..<slash])
            if try !mailboxExists(superior, user: user, in: db) {
                try createMailbox(MailboxTemplate(name: superior), user: user, at: time, subscribe: false, in: db)
                created.append(superior)
            }
            level = name.index(after: slash)
        }
        return created
    }
}

extension CatalogMailboxes {
    /// The user's mailboxes, INBOX first, then by name; `MailboxError.unknownUser` if there is no such user.
    public func listMailboxes(of email: String) async throws -> [MailboxListing] {
        try await pool.read { db in
            let user = try Catalog.userID(email, in: db)
            let rows = try Row.fetchAll(db, sql: """
                SELECT b.name, b.special_use,
                       EXISTS (SELECT 1 FROM mailbox_subscription s WHERE s.user = b.user AND s.name = b.name)
                FROM mailbox b WHERE b.user = ?
                ORDER BY b.name <> 'INBOX', b.name
                """, arguments: [user])
            var parents: Set<String> = []
            for row in rows {
                let name: String = row[0]
                var level = name.startIndex
                while let slash = name[level...].firstIndex(of: "/") {
                    parents.insert(String(name[..<slash]))
                    level = name.index(after: slash)
                }
            }
            return rows.map { row in
                let name: String = row[0]
                return MailboxListing(name: name, specialUse: row[1], subscribed: row[2],
                                      hasChildren: parents.contains(name))
            }
        }
    }

    /// The user's subscribed names (RFC 3501 §6.3.9 LSUB), existing or not, sorted.
    public func subscriptions(of email: String) async throws -> [String] {
        try await pool.read { db in
            let user = try Catalog.userID(email, in: db)
            return try String.fetchAll(db, sql: "SELECT name FROM mailbox_subscription WHERE user = ? ORDER BY name",
                                       arguments: [user])
        }
    }

    /// RFC 3501 §6.3.3: creates `name` and every missing superior level ("a/b/c" creates "a" and "a/b"
    /// as ordinary mailboxes), each with a fresh UIDVALIDITY. Fails with `alreadyExists` if `name`
    /// exists. `specialUse` (RFC 6154 §3 CREATE-SPECIAL-USE) goes to `name` only. Returns the names created.
    @discardableResult
    public func createMailbox(_ name: String, of email: String, specialUse: String? = nil,
                              at time: Date) async throws -> [String] {
        try await pool.write { db in
            let user = try Catalog.userID(email, in: db)
            guard try !Catalog.mailboxExists(name, user: user, in: db) else { throw MailboxError.alreadyExists(name) }
            var created = try Catalog.createSuperiors(of: name, user: user, at: time, in: db)
            try Catalog.createMailbox(MailboxTemplate(name: name, specialUse: specialUse), user: user, at: time,
                                   subscribe: false, in: db)
            created.append(name)
            return created
        }
    }

    /// RFC 3501 §6.3.4: removes the mailbox and its placements (the archive keeps every message).
    /// INBOX is refused, and so is a mailbox with inferior names (Dovecot's choice, instead of the
    /// RFC's \Noselect state): delete the children first. Subscriptions stay (RFC 3501 §6.3.6).
    public func deleteMailbox(_ name: String, of email: String) async throws {
        guard name != "INBOX" else { throw MailboxError.cannotDeleteInbox }
        try await pool.write { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let user = try Catalog.userID(email, in: db)
            let prefix = name + "/"
            let children = try Bool.fetchOne(db, sql: """
                SELECT 1 FROM mailbox WHERE user = ? AND substr(name, 1, length(?)) = ? LIMIT 1
                """, arguments: [user, prefix, prefix]) ?? false
            guard !children else { throw MailboxError.hasChildren(name) }
            let drafts = try Int64.fetchAll(db, sql: """
                SELECT envelope_offset FROM mailbox_message WHERE mailbox = ? AND envelope_segment = 0
                """, arguments: [box.id])
            try db.execute(sql: "DELETE FROM mailbox WHERE id = ?", arguments: [box.id])
            try Catalog.removeUnusedDrafts(drafts, in: db)
        }
    }

    /// RFC 3501 §6.3.5: renames a mailbox and its inferior names, creating missing superiors of
    /// the new name. A renamed mailbox keeps its UIDVALIDITY and UIDs: UIDVALIDITY values are never
    /// handed out twice in this catalog, so (new name, UIDVALIDITY, UID) still names one message only.
    /// Renaming INBOX moves its messages to the new name and leaves an empty INBOX with a fresh
    /// UIDVALIDITY; INBOX's inferior names stay where they are. Returns (old, new) for every
    /// renamed mailbox; subscriptions follow them.
    @discardableResult
    public func renameMailbox(_ name: String, to newName: String, of email: String,
                              at time: Date) async throws -> [(from: String, to: String)] {
        try await pool.write { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let user = try Catalog.userID(email, in: db)
            guard try !Catalog.mailboxExists(newName, user: user, in: db) else {
                throw MailboxError.alreadyExists(newName)
            }
            var renames: [(id: Int64, from: String, to: String)] = []
            if name == "INBOX" {
                renames.append((box.id, name, newName))
            } else {
                guard !newName.hasPrefix(name + "/") else { throw MailboxError.renameIntoItself(name) }
                let prefix = name + "/"
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, name FROM mailbox WHERE user = ? AND (name = ? OR substr(name, 1, length(?)) = ?)
                    ORDER BY name
                    """, arguments: [user, name, prefix, prefix])
                for row in rows {
                    let old: String = row[1]
                    renames.append((row[0], old, newName + old.dropFirst(name.count)))
                }
                for rename in renames where rename.to != newName {
                    if try Catalog.mailboxExists(rename.to, user: user, in: db) {
                        throw MailboxError.alreadyExists(rename.to)
                    }
                }
            }
            for rename in renames {
                try db.execute(sql: "UPDATE mailbox SET name = ? WHERE id = ?", arguments: [rename.to, rename.id])
                try db.execute(sql: "UPDATE OR REPLACE mailbox_subscription SET name = ? WHERE user = ? AND name = ?",
                               arguments: [rename.to, user, rename.from])
            }
            if name == "INBOX" {
                // The INBOX subscription stays with the name; the new INBOX needs no new one.
                try Catalog.createMailbox(MailboxTemplate(name: "INBOX"), user: user, at: time, subscribe: false, in: db)
                try db.execute(sql: "INSERT OR IGNORE INTO mailbox_subscription (user, name) VALUES (?, 'INBOX')",
                               arguments: [user])
            }
            _ = try Catalog.createSuperiors(of: newName, user: user, at: time, in: db)
            return renames.map { ($0.from, $0.to) }
        }
    }

    /// RFC 3501 §6.3.6: any name may be subscribed, existing or not (the server MAY check; we don't,
    /// as a deleted mailbox's name stays subscribed anyway).
    public func subscribe(_ name: String, of email: String) async throws {
        try await pool.write { db in
            let user = try Catalog.userID(email, in: db)
            try db.execute(sql: "INSERT OR IGNORE INTO mailbox_subscription (user, name) VALUES (?, ?)",
                           arguments: [user, name])
        }
    }

    /// RFC 3501 §6.3.7. Returns whether the name was subscribed.
    @discardableResult
    public func unsubscribe(_ name: String, of email: String) async throws -> Bool {
        try await pool.write { db in
            let user = try Catalog.userID(email, in: db)
            try db.execute(sql: "DELETE FROM mailbox_subscription WHERE user = ? AND name = ?", arguments: [user, name])
            return db.changesCount > 0
        }
    }

    /// RFC 3501 §6.3.10 STATUS, with HIGHESTMODSEQ (RFC 7162 §3.1.2.1) and SIZE (RFC 8438): one query
    /// over the mailbox's placements.
    public func status(of name: String, of email: String, hidingRestricted: Bool = false) async throws
        -> MailboxStatus
    {
        try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), coalesce(sum(size), 0), coalesce(sum((system_flags & ?) = 0), 0),
                       coalesce(sum((system_flags & ?) != 0), 0), coalesce(sum(coalesce(transmitted_size, size)), 0),
                       coalesce(sum(transmitted_size IS NULL), 0)
                FROM mailbox_message m WHERE mailbox = ?\(Catalog.visibility(hidingRestricted: hidingRestricted))
                """, arguments: [MessageFlags.System.seen.rawValue, MessageFlags.System.deleted.rawValue, box.id])
            return MailboxStatus(
                messages: row?[0] ?? 0, uidNext: UInt32(box.uidNext), uidValidity: UInt32(box.uidValidity),
                unseen: row?[2] ?? 0, highestModSeq: UInt64(box.highestModSeq), size: row?[1] ?? 0,
                deleted: row?[3] ?? 0, transmittedSize: row?[4] ?? 0, sizesPending: row?[5] ?? 0)
        }
    }

    /// The SPECIAL-USE attribute of a mailbox (RFC 6154), nil for none; `nonexistent` if there is no such mailbox.
    public func specialUse(of name: String, of email: String) async throws -> String? {
        try await pool.read { db in try Catalog.mailboxRow(name, of: email, in: db).specialUse }
    }
}
