import Foundation
import GRDB

/// One remote recipient of one delivery, waiting in the outbound queue (drained by the outbound
/// issue's `Delivery` module). The body stays in the archive; the row names it by SHA-256.
public struct QueuedMessage: Sendable, Hashable {
    public var id: Int64
    /// The delivery's envelope record, `"segment:offset"`.
    public var envelopeLocation: String
    public var sha256: String
    /// The reverse-path (RFC 5321 §4.1.1.2), "" for `<>`.
    public var mailFrom: String
    public var recipient: String
    /// "queued" when new.
    public var status: String
    public var attempts: Int
    public var nextAttempt: Date
    public var lastError: String?
    public var created: Date
}

extension Catalog {
    /// The whole outbound queue, oldest first.
    public func outboundQueue() async throws -> [QueuedMessage] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, envelope_segment, envelope_offset, sha256, mail_from, recipient, status, attempts,
                       next_attempt, last_error, created
                FROM outbound_queue ORDER BY id
                """)
            return rows.map { row in
                QueuedMessage(
                    id: row[0], envelopeLocation: "\(row[1] as Int64):\(row[2] as Int64)", sha256: row[3],
                    mailFrom: row[4], recipient: row[5], status: row[6], attempts: row[7],
                    nextAttempt: Date(timeIntervalSince1970: row[8]), lastError: row[9],
                    created: Date(timeIntervalSince1970: row[10]))
            }
        }
    }
}
