import Foundation
import GRDB

/// One remote recipient of one delivery, waiting in (or done with) the outbound queue, drained by
/// the `Delivery` module. The body stays in the archive; the row names it by SHA-256.
public struct QueuedMessage: Sendable, Hashable {
    public var id: Int64
    /// The delivery's envelope record, `"segment:offset"`.
    public var envelopeLocation: String
    public var sha256: String
    /// The reverse-path (RFC 5321 §4.1.1.2), "" for `<>`.
    public var mailFrom: String
    public var recipient: String
    /// `QueueStatus` raw values: "queued", "sending", "delivered", "failed".
    public var status: String
    public var attempts: Int
    public var nextAttempt: Date
    public var lastError: String?
    public var created: Date
    /// When the last attempt ended; nil before the first.
    public var lastAttempt: Date? = nil
    /// When the remote server took the message (its 250).
    public var deliveredAt: Date? = nil
    /// The host that gave the last answer (RFC 3464 §2.3.5 Remote-MTA).
    public var remoteMTA: String? = nil
    /// The RFC 3463 status of the last answer, e.g. "4.4.1" or "5.1.1".
    public var statusCode: String? = nil
    /// `BounceState` raw value, nil when no DSN is due.
    public var bounce: String? = nil

    /// The recipient's domain, lower-cased: what routing is decided by.
    public var recipientDomain: String {
        guard let at = recipient.lastIndex(of: "@") else { return "" }
        return recipient[recipient.index(after: at)...].lowercased()
    }
}

/// The life of a queue row. The row is the truth: it becomes `delivered` only after the remote 250.
public enum QueueStatus: String, Sendable, CaseIterable {
    case queued, sending, delivered, failed
}

/// Whether a failed row owes its sender a delivery status notification (RFC 3464).
public enum BounceState: String, Sendable {
    case pending, sent
    /// The message came from the null reverse-path: never a bounce to a bounce (RFC 5321 §4.5.5).
    case suppressed
    /// The administrator removed the row without a DSN.
    case deleted
}

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

extension Catalog {
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
