import GRDB

extension CatalogMailboxes {
    /// Removes placements from one of a user's mailboxes (POP3 UPDATE, RFC 1939 §6), all in one
    /// transaction: all of them go, or none. Like an IMAP EXPUNGE they take one new MODSEQ and leave
    /// tombstones (RFC 7162 §3.2.5.2), so IMAP sessions learn of them. The archive and the search
    /// index keep the messages; the `routed` table keeps recovery from placing them again. Returns
    /// how many placements were removed (UIDs already gone are skipped).
    @discardableResult
    public func removeMessages(uids: [UInt32], from mailbox: String, of email: String) async throws -> Int {
        guard !uids.isEmpty else { return 0 }
        return try await pool.write { db in
            guard let box = try Int64.fetchOne(db, sql: """
                SELECT b.id FROM mailbox b JOIN user u ON u.id = b.user WHERE u.email = ? AND b.name = ?
                """, arguments: [email, mailbox])
            else { return 0 }
            let find = try db.cachedStatement(sql: """
                SELECT envelope_segment, envelope_offset FROM mailbox_message WHERE mailbox = ? AND uid = ?
                """)
            var rows: [(uid: Int64, draft: Int64?)] = []
            for uid in Set(uids).sorted() {
                guard let row = try Row.fetchOne(find, arguments: [box, Int64(uid)]) else { continue }
                rows.append((Int64(uid), Catalog.draftID(segment: row[0], offset: row[1])))
            }
            try Catalog.expunge(rows, from: box, in: db)
            return rows.count
        }
    }
}
