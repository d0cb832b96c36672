import Foundation
import GRDB
import StoreModel

/// A `mailbox` row as the IMAP operations need it.
struct MailboxRow {
    let id: Int64
    let name: String
    let uidValidity: Int64
    let uidNext: Int64
    let highestModSeq: Int64
    let specialUse: String?

    /// The columns `init(_:)` reads, from `mailbox AS b`.
    static let columns = "b.id, b.name, b.uid_validity, b.uid_next, b.highest_modseq, b.special_use"

    init(_ row: Row) {
        id = row[0]
        name = row[1]
        uidValidity = row[2]
        uidNext = row[3]
        highestModSeq = row[4]
        specialUse = row[5]
    }
}

/// A UID set as sorted, merged ranges, for filtering rows fetched by their bounds.
struct UIDRanges {
    private let ranges: [ClosedRange<Int64>]

    init(_ given: [ClosedRange<UInt32>]) {
        var merged: [ClosedRange<Int64>] = []
        for range in given.map({ Int64($0.lowerBound)...Int64($0.upperBound) }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }

    /// The smallest range holding every UID of the set; nil for an empty set.
    var bounds: ClosedRange<Int64>? {
        guard let first = ranges.first, let last = ranges.last else { return nil }
        return first.lowerBound...last.upperBound
    }

    func contains(_ uid: Int64) -> Bool {
        var low = 0, high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if uid < ranges[middle].lowerBound { high = middle - 1 }
            else if uid > ranges[middle].upperBound { low = middle + 1 }
            else { return true }
        }
        return false
    }
}

extension Catalog {
    /// The columns `entry(_:)` reads, from `mailbox_message AS m`.
    static let entryColumns = """
        m.uid, m.system_flags, m.keywords, m.modseq, m.internal_date, m.size, m.sha256, \
        m.envelope_segment, m.envelope_offset, m.transmitted_size
        """

    static func entry(_ row: Row) -> MailboxEntry {
        let segment: Int64 = row[7], offset: Int64 = row[8]
        return MailboxEntry(
            uid: UInt32(row[0] as Int64), flags: MessageFlags(systemBits: row[1], storedKeywords: row[2]),
            modSeq: UInt64(row[3] as Int64), internalDate: Date(timeIntervalSince1970: row[4]), size: row[5],
            transmittedSize: row[9], sha256: row[6],
            body: segment == 0 ? .draft(id: offset)
                : .archive(envelope: RecordLocation(segment: UInt32(segment), offset: UInt64(offset))))
    }

    /// The user's row id; `MailboxError.unknownUser` if there is none.
    static func userID(_ email: String, in db: Database) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email]) else {
            throw MailboxError.unknownUser(email)
        }
        return id
    }

    /// One of the user's mailboxes by stored name. Every IMAP operation finds its mailboxes here,
    /// through the user's email: a client never names a row id.
    static func mailboxRow(_ name: String, of email: String, in db: Database) throws -> MailboxRow {
        if let row = try Row.fetchOne(db, sql: """
            SELECT \(MailboxRow.columns) FROM mailbox b JOIN user u ON u.id = b.user WHERE u.email = ? AND b.name = ?
            """, arguments: [email, name]) {
            return MailboxRow(row)
        }
        _ = try userID(email, in: db)
        throw MailboxError.nonexistent(name)
    }

    /// RFC 7162 §3.1.1: takes the mailbox's next MODSEQ (one per operation) and records it as
    /// HIGHESTMODSEQ. Every row the operation changes gets this value.
    static func nextModSeq(of mailbox: Int64, in db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE mailbox SET highest_modseq = highest_modseq + 1 WHERE id = ?", arguments: [mailbox])
        return try Int64.fetchOne(db, sql: "SELECT highest_modseq FROM mailbox WHERE id = ?", arguments: [mailbox]) ?? 1
    }

    /// Removes placements under one new MODSEQ and leaves a tombstone for each (RFC 7162 §3.2.5.2),
    /// then drops draft bytes no placement names any more. `rows` are (uid, draft id or nil).
    /// Returns the MODSEQ, or nil when `rows` is empty (nothing changes, no MODSEQ is taken).
    @discardableResult
    static func expunge(_ rows: [(uid: Int64, draft: Int64?)], from mailbox: Int64, in db: Database) throws -> Int64? {
        guard !rows.isEmpty else { return nil }
        let modSeq = try nextModSeq(of: mailbox, in: db)
        let delete = try db.cachedStatement(sql: "DELETE FROM mailbox_message WHERE mailbox = ? AND uid = ?")
        let tombstone = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO mailbox_expunged (mailbox, uid, modseq) VALUES (?, ?, ?)
            """)
        for row in rows {
            try delete.execute(arguments: [mailbox, row.uid])
            try tombstone.execute(arguments: [mailbox, row.uid, modSeq])
        }
        try removeUnusedDrafts(rows.compactMap(\.draft), in: db)
        return modSeq
    }

    /// Deletes the draft store rows among `ids` that no placement names any more.
    static func removeUnusedDrafts(_ ids: [Int64], in db: Database) throws {
        for id in Set(ids) {
            try db.execute(sql: """
                DELETE FROM draft WHERE id = ? AND NOT EXISTS (
                    SELECT 1 FROM mailbox_message WHERE envelope_segment = 0 AND envelope_offset = ?)
                """, arguments: [id, id])
        }
    }

    /// The draft id of a placement row's body location, nil for an archived message.
    static func draftID(segment: Int64, offset: Int64) -> Int64? { segment == 0 ? offset : nil }
}
