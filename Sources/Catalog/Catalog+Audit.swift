import Foundation
import GRDB
import StoreModel

extension CatalogGovernance {
    /// Appends one entry to the audit log.
    public func audit(_ entry: AuditEntry) async throws {
        try await pool.write { db in
            try db.execute(
                literal: """
                    INSERT INTO audit_log (time, actor, action, detail, result_count)
                    VALUES (\(entry.time.timeIntervalSince1970), \(entry.actor), \(entry.action), \(entry.detail), \
                    \(entry.resultCount))
                    """)
        }
    }

    /// Audit entries in the order they were written (oldest first), optionally only those at or
    /// after `since` and by `actor`; with `limit`, the latest `limit` of them.
    public func auditLog(since: Date? = nil, actor: String? = nil, limit: Int? = nil) async throws -> [AuditEntry] {
        try await pool.read { db in
            var conditions: [SQL] = []
            if let since { conditions.append("time >= \(since.timeIntervalSince1970)") }
            if let actor { conditions.append("actor = \(actor)") }
            var sql: SQL = "SELECT time, actor, action, detail, result_count FROM audit_log"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY time DESC, id DESC LIMIT \(limit ?? -1)"
            let rows = try Row.fetchAll(db, SQLRequest(literal: sql))
            return rows.reversed().map { row in
                AuditEntry(
                    time: Date(timeIntervalSince1970: row[0]), actor: row[1], action: row[2], detail: row[3],
                    resultCount: row[4])
            }
        }
    }
}
