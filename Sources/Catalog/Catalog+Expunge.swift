import GRDB

extension Catalog {
    /// Removes placements from one of a user's mailboxes (POP3 UPDATE, RFC 1939 §6; IMAP
    /// EXPUNGE later), all in one transaction: all of them go, or none. The archive and the
    /// search index keep the messages; the `routed` table keeps recovery from placing them
    /// again. Returns how many placements were removed (UIDs already gone are skipped).
    @discardableResult
    public func removeMessages(uids: [UInt32], from mailbox: String, of email: String) async throws -> Int {
        guard !uids.isEmpty else { return 0 }
        return try await pool.write { db in
            guard let box = try Int64.fetchOne(db, sql: """
                SELECT b.id FROM mailbox b JOIN user u ON u.id = b.user WHERE u.email = ? AND b.name = ?
                """, arguments: [email, mailbox])
            else { return 0 }
            var removed = 0
            for uid in uids {
                try db.execute(sql: "DELETE FROM mailbox_message WHERE mailbox = ? AND uid = ?",
                               arguments: [box, Int64(uid)])
                removed += db.changesCount
            }
            return removed
        }
    }
}
