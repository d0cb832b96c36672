import Foundation
import GRDB
import StoreModel

extension CatalogQueue {
    /// Rows due at `now` (status queued, next attempt reached), oldest due first; at most `limit`.
    public func dueOutbound(now: Date, limit: Int) async throws -> [QueuedMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(QueuedMessage.columns) FROM outbound_queue
                WHERE status = 'queued' AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit]).map(QueuedMessage.init(row:))
        }
    }

    /// Marks rows as taken by a worker ('sending'), in one transaction; returns those that were
    /// still 'queued' (another claimer or an administrator's delete may have come first).
    public func claimOutbound(ids: [Int64], now: Date) async throws -> [QueuedMessage] {
        guard !ids.isEmpty else { return [] }
        return try await pool.write { db in
            var claimed: [QueuedMessage] = []
            let update = try db.cachedStatement(sql: """
                UPDATE outbound_queue SET status = 'sending', claimed_at = ? WHERE id = ? AND status = 'queued'
                """)
            let select = try db.cachedStatement(sql: "SELECT \(QueuedMessage.columns) FROM outbound_queue WHERE id = ?")
            for id in ids {
                try update.execute(arguments: [now.timeIntervalSince1970, id])
                guard db.changesCount == 1 else { continue }
                if let row = try Row.fetchOne(select, arguments: [id]) { claimed.append(QueuedMessage(row: row)) }
            }
            return claimed
        }
    }

    /// Puts claimed rows back to 'queued' without counting an attempt (shutdown before they were
    /// tried). With `ids` nil: every 'sending' row — at start-up, what a dead process held.
    @discardableResult
    public func releaseOutboundClaims(ids: [Int64]? = nil) async throws -> Int {
        try await pool.write { db in
            if let ids {
                var released = 0
                for id in ids {
                    try db.execute(sql: """
                        UPDATE outbound_queue SET status = 'queued', claimed_at = NULL WHERE id = ? AND status = 'sending'
                        """, arguments: [id])
                    released += db.changesCount
                }
                return released
            }
            try db.execute(sql: "UPDATE outbound_queue SET status = 'queued', claimed_at = NULL WHERE status = 'sending'")
            return db.changesCount
        }
    }

    /// Records the outcome of one attempt for each row, in one transaction. A failed row whose
    /// sender is the null reverse-path gets bounce 'suppressed', any other 'pending'.
    public func recordOutboundAttempts(_ results: [(id: Int64, result: OutboundAttemptResult)], now: Date) async throws {
        guard !results.isEmpty else { return }
        let time = now.timeIntervalSince1970
        try await pool.write { db in
            for (id, result) in results {
                switch result {
                case .delivered(let remoteMTA, let reply):
                    try db.execute(sql: """
                        UPDATE outbound_queue SET status = 'delivered', attempts = attempts + 1, delivered_at = ?,
                            last_attempt = ?, remote_mta = ?, status_code = '2.0.0', last_error = ?, claimed_at = NULL
                        WHERE id = ?
                        """, arguments: [time, time, remoteMTA, reply, id])
                case .deferred(let next, let remoteMTA, let code, let reply):
                    try db.execute(sql: """
                        UPDATE outbound_queue SET status = 'queued', attempts = attempts + 1, next_attempt = ?,
                            last_attempt = ?, remote_mta = ?, status_code = ?, last_error = ?, claimed_at = NULL
                        WHERE id = ?
                        """, arguments: [next.timeIntervalSince1970, time, remoteMTA, code, reply, id])
                case .failed(let remoteMTA, let code, let reply):
                    try db.execute(sql: """
                        UPDATE outbound_queue SET status = 'failed', attempts = attempts + 1,
                            last_attempt = ?, remote_mta = ?, status_code = ?, last_error = ?, claimed_at = NULL,
                            bounce = CASE WHEN mail_from = '' THEN 'suppressed' ELSE 'pending' END
                        WHERE id = ?
                        """, arguments: [time, remoteMTA, code, reply, id])
                }
            }
        }
    }

    /// Failed rows that owe their sender a DSN, oldest first.
    public func pendingBounces() async throws -> [QueuedMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(QueuedMessage.columns) FROM outbound_queue WHERE bounce = 'pending' ORDER BY id
                """).map(QueuedMessage.init(row:))
        }
    }

    /// Marks the DSN of these rows as sent.
    public func markBouncesSent(ids: [Int64]) async throws {
        try await pool.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE outbound_queue SET bounce = 'sent' WHERE id = ? AND bounce = 'pending'",
                               arguments: [id])
            }
        }
    }
}
