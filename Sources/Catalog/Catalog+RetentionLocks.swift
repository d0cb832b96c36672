import Foundation
import GRDB
import StoreModel

extension CatalogGovernance {
    /// Every remembered locked policy, by name.
    public func retentionLocks() async throws -> [RetentionLockRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT policy, match, retain, count_from, action, file, recorded_at FROM retention_lock ORDER BY policy
                """
            ).map { row in
                RetentionLockRecord(
                    policy: row[0], match: row[1], retain: row[2], countFrom: row[3], action: row[4], file: row[5],
                    recordedAt: Date(timeIntervalSince1970: row[6]))
            }
        }
    }

    /// Replaces the remembered versions in one transaction: `record` are written (inserted or replaced),
    /// `forget` (policy names) deleted.
    public func updateRetentionLocks(record: [RetentionLockRecord], forget: [String]) async throws {
        guard !record.isEmpty || !forget.isEmpty else { return }
        try await pool.write { db in
            for lock in record {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO retention_lock (policy, match, retain, count_from, action, file, recorded_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [lock.policy, lock.match, lock.retain, lock.countFrom, lock.action, lock.file,
                                lock.recordedAt.timeIntervalSince1970])
            }
            for policy in forget {
                try db.execute(sql: "DELETE FROM retention_lock WHERE policy = ?", arguments: [policy])
            }
        }
    }
}
