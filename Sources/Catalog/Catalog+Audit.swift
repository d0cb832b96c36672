import Foundation
import GRDB
import StoreModel

extension CatalogGovernance {
    /// Appends entries to the audit log, each with the location of its audit event in the archive.
    public func audit(_ entries: [(entry: AuditEntry, record: RecordLocation?)]) async throws {
        guard !entries.isEmpty else { return }
        try await pool.write { db in
            for (entry, record) in entries {
                try db.execute(
                    literal: """
                        INSERT INTO audit_log (time, actor, action, detail, result_count, client, record)
                        VALUES (\(entry.time.timeIntervalSince1970), \(entry.actor), \(entry.action), \(entry.detail), \
                        \(entry.resultCount), \(entry.client), \(record?.description))
                        """)
            }
        }
    }

    /// Audit entries in the order they were written (oldest first), optionally only those at or
    /// after `since` and by `actor`; with `limit`, the latest `limit` of them.
    public func auditLog(since: Date? = nil, actor: String? = nil, limit: Int? = nil) async throws -> [AuditEntry] {
        try await pool.read { db in
            var conditions: [SQL] = []
            if let since { conditions.append("time >= \(since.timeIntervalSince1970)") }
            if let actor { conditions.append("actor = \(actor)") }
            var sql: SQL = "SELECT time, actor, action, detail, result_count, client FROM audit_log"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY time DESC, id DESC LIMIT \(limit ?? -1)"
            let rows = try Row.fetchAll(db, SQLRequest(literal: sql))
            return rows.reversed().map { row in
                AuditEntry(
                    time: Date(timeIntervalSince1970: row[0]), actor: row[1], action: row[2], detail: row[3],
                    resultCount: row[4], client: row[5])
            }
        }
    }
}
