import Foundation
import GRDB
import StoreModel

extension Catalog {
    /// Creates one mailbox with a fresh UIDVALIDITY, UIDNEXT 1 and HIGHESTMODSEQ 1, subscribed
    /// unless `subscribe` is false (IMAP CREATE does not subscribe, RFC 3501 §6.3.3).
    static func createMailbox(_ template: MailboxTemplate, user: Int64, at time: Date, subscribe: Bool = true,
                              in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO mailbox (user, name, uid_validity, uid_next, special_use, subscribed, highest_modseq)
                VALUES (?, ?, ?, 1, ?, ?, 1)
                """,
            arguments: [user, template.name, try nextUIDValidity(at: time, in: db), template.specialUse, subscribe])
        if subscribe {
            try db.execute(sql: "INSERT OR IGNORE INTO mailbox_subscription (user, name) VALUES (?, ?)",
                           arguments: [user, template.name])
        }
    }

    /// A UIDVALIDITY never handed out before in this catalog: the current Unix time, or one more
    /// than the last value if that is larger (two mailboxes created in the same second).
    static func nextUIDValidity(at time: Date, in db: Database) throws -> Int64 {
        let last = try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'uid_validity'") ?? 0
        let now = Int64(max(1, min(Double(UInt32.max - 1), time.timeIntervalSince1970.rounded(.down))))
        let next = max(now, last + 1)
        try db.execute(sql: "INSERT OR REPLACE INTO catalog_state (key, value) VALUES ('uid_validity', ?)",
                       arguments: [next])
        return next
    }
}

extension CatalogMailboxes {
    /// A user's mailboxes, INBOX first, then by name; empty for an unknown user.
    public func mailboxes(of email: String) async throws -> [MailboxInfo] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT b.name, b.uid_validity, b.uid_next, b.special_use,
                       EXISTS (SELECT 1 FROM mailbox_subscription s WHERE s.user = b.user AND s.name = b.name),
                       (SELECT count(*) FROM mailbox_message m WHERE m.mailbox = b.id)
                FROM mailbox b JOIN user u ON u.id = b.user
                WHERE u.email = ?
                ORDER BY b.name <> 'INBOX', b.name
                """, arguments: [email])
            return rows.map { row in
                MailboxInfo(name: row[0], uidValidity: UInt32(row[1] as Int64), uidNext: UInt32(row[2] as Int64),
                            messages: row[5], specialUse: row[3], subscribed: row[4])
            }
        }
    }

    /// The messages of one mailbox in UID order.
    /// With `hidingRestricted`, messages an active restriction covers are left out (owners' views).
    public func messages(in mailbox: String, of email: String, hidingRestricted: Bool = false) async throws
        -> [MailboxMessage]
    {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.uid, m.sha256, m.size, m.system_flags, m.keywords, m.internal_date, m.envelope_segment,
                       m.envelope_offset
                FROM mailbox_message m JOIN mailbox b ON b.id = m.mailbox JOIN user u ON u.id = b.user
                WHERE u.email = ? AND b.name = ?\(Catalog.visibility(hidingRestricted: hidingRestricted))
                ORDER BY m.uid
                """, arguments: [email, mailbox])
            return rows.map { row in
                MailboxMessage(
                    uid: UInt32(row[0] as Int64), sha256: row[1], size: row[2],
                    flags: MessageFlags(systemBits: row[3], storedKeywords: row[4]).names,
                    internalDate: Date(timeIntervalSince1970: row[5]),
                    envelopeLocation: "\(row[6] as Int64):\(row[7] as Int64)")
            }
        }
    }
}
