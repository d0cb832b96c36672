import Foundation
import GRDB
import StoreModel

extension CatalogQueue {
    /// Makes queued rows due at `now` (`tresor queue retry`): `ids` nil means every queued row.
    /// Rows being sent, delivered or failed are left alone. Returns how many changed.
    @discardableResult
    public func retryOutbound(ids: [Int64]?, now: Date) async throws -> Int {
        try await pool.write { db in
            if let ids {
                var changed = 0
                for id in ids {
                    try db.execute(sql: "UPDATE outbound_queue SET next_attempt = ? WHERE id = ? AND status = 'queued'",
                                   arguments: [now.timeIntervalSince1970, id])
                    changed += db.changesCount
                }
                return changed
            }
            try db.execute(sql: "UPDATE outbound_queue SET next_attempt = ? WHERE status = 'queued'",
                           arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// The administrator gives up on a queued row (`tresor queue delete`). With `bounce` the row
    /// becomes 'failed' with a DSN owed (status 5.0.0, "deleted by the administrator"), unless the
    /// sender is null; without, it is removed. A row being sent cannot be deleted (nil), nor can a
    /// delivered one. Returns the row as it was, or nil when there was nothing to delete.
    public func deleteOutbound(id: Int64, bounce: Bool, now: Date) async throws -> QueuedMessage? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(QueuedMessage.columns) FROM outbound_queue WHERE id = ?",
                                             arguments: [id]).map(QueuedMessage.init(row:)),
                  row.status == QueueStatus.queued.rawValue || row.status == QueueStatus.failed.rawValue
            else { return nil }
            if bounce && row.status == QueueStatus.queued.rawValue {
                try db.execute(sql: """
                    UPDATE outbound_queue SET status = 'failed', last_attempt = ?, status_code = '5.0.0',
                        last_error = 'deleted from the queue by the administrator',
                        bounce = CASE WHEN mail_from = '' THEN 'suppressed' ELSE 'pending' END
                    WHERE id = ?
                    """, arguments: [now.timeIntervalSince1970, id])
            } else {
                try db.execute(sql: "DELETE FROM outbound_queue WHERE id = ?", arguments: [id])
            }
            return row
        }
    }
}
