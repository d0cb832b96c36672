import Foundation
import GRDB
import StoreModel

extension QueuedMessage {
    static let columns = """
        id, envelope_segment, envelope_offset, sha256, mail_from, recipient, status, attempts, next_attempt,
        last_error, created, last_attempt, delivered_at, remote_mta, status_code, bounce
        """

    init(row: Row) {
        let lastAttempt: Double? = row[11], deliveredAt: Double? = row[12]
        self.init(
            id: row[0], envelopeLocation: "\(row[1] as Int64):\(row[2] as Int64)", sha256: row[3],
            mailFrom: row[4], recipient: row[5], status: row[6], attempts: row[7],
            nextAttempt: Date(timeIntervalSince1970: row[8]), lastError: row[9],
            created: Date(timeIntervalSince1970: row[10]),
            lastAttempt: lastAttempt.map(Date.init(timeIntervalSince1970:)),
            deliveredAt: deliveredAt.map(Date.init(timeIntervalSince1970:)),
            remoteMTA: row[13], statusCode: row[14], bounce: row[15])
    }
}

extension CatalogQueue {
    /// The whole outbound queue, oldest first.
    public func outboundQueue() async throws -> [QueuedMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(QueuedMessage.columns) FROM outbound_queue ORDER BY id")
                .map(QueuedMessage.init(row:))
        }
    }

    /// One queue row by id, or nil.
    public func outboundQueueEntry(id: Int64) async throws -> QueuedMessage? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(QueuedMessage.columns) FROM outbound_queue WHERE id = ?",
                             arguments: [id]).map(QueuedMessage.init(row:))
        }
    }
}
