import Foundation
import GRDB
import StoreModel

extension Catalog {
    fileprivate static let quarantineColumns = """
        SELECT id, held_at, sha256, envelope, mail_from, recipients, subject, rules, status, decided_at, decided_by,
               reason FROM dlp_quarantine
        """

    fileprivate static func quarantined(_ row: Row) -> QuarantinedMessage {
        QuarantinedMessage(
            id: row[0], heldAt: Date(timeIntervalSince1970: row[1]), sha256: row[2], envelope: row[3], mailFrom: row[4],
            recipients: (row[5] as String).split(separator: "\n").map(String.init), subject: row[6],
            rules: (row[7] as String).split(separator: ",").map(String.init),
            status: QuarantinedMessage.Status(rawValue: row[8]) ?? .held,
            decidedAt: (row[9] as Double?).map(Date.init(timeIntervalSince1970:)), decidedBy: row[10], reason: row[11])
    }
}

extension CatalogGovernance {
    /// Records a held message; returns it with its id.
    public func addQuarantined(_ message: QuarantinedMessage) async throws -> QuarantinedMessage {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO dlp_quarantine (held_at, sha256, envelope, mail_from, recipients, subject, rules)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [message.heldAt.timeIntervalSince1970, message.sha256, message.envelope, message.mailFrom,
                            message.recipients.joined(separator: "\n"), message.subject,
                            message.rules.joined(separator: ",")])
            var stored = message
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    /// The quarantine, oldest first: held messages only, or every one with `all`.
    public func quarantined(all: Bool) async throws -> [QuarantinedMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Catalog.quarantineColumns) \(all ? "" : "WHERE status = 'held'") ORDER BY id")
                .map(Catalog.quarantined)
        }
    }

    public func quarantined(id: Int64) async throws -> QuarantinedMessage? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "\(Catalog.quarantineColumns) WHERE id = ?", arguments: [id]).map(Catalog.quarantined)
        }
    }

    /// Marks a held message released or rejected; false when it was no longer held (another
    /// operator decided first), so one decision wins.
    public func decideQuarantined(id: Int64, status: QuarantinedMessage.Status, by: String, reason: String,
                                  at time: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE dlp_quarantine SET status = ?, decided_by = ?, reason = ?, decided_at = ?
                    WHERE id = ? AND status = 'held'
                    """,
                arguments: [status.rawValue, by, reason, time.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
    }
}
