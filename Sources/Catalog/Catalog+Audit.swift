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
                        INSERT INTO audit_log (time, actor, action, detail, result_count, client, record, signature)
                        VALUES (\(entry.time.timeIntervalSince1970), \(entry.actor), \(entry.action), \(entry.detail), \
                        \(entry.resultCount), \(entry.client), \(record?.description), \(entry.signature))
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
            var sql: SQL = "SELECT time, actor, action, detail, result_count, client, signature FROM audit_log"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY time DESC, id DESC LIMIT \(limit ?? -1)"
            let rows = try Row.fetchAll(db, SQLRequest(literal: sql))
            return rows.reversed().map { row in
                AuditEntry(
                    time: Date(timeIntervalSince1970: row[0]), actor: row[1], action: row[2], detail: row[3],
                    resultCount: row[4], client: row[5], signature: row[6])
            }
        }
    }
}

extension CatalogGovernance {
    /// Which of `locations` (audit events of the archive) a row of the audit log names.
    public func listedAuditRecords(_ locations: [RecordLocation]) async throws -> Set<RecordLocation> {
        guard !locations.isEmpty else { return [] }
        return try await pool.read { db in
            var found: Set<RecordLocation> = []
            for start in stride(from: 0, to: locations.count, by: 500) {
                let chunk = locations[start..<min(locations.count, start + 500)].map(\.description)
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                for text in try String.fetchAll(db, sql: "SELECT record FROM audit_log WHERE record IN (\(marks))",
                                                arguments: StatementArguments(chunk)) {
                    if let location = RecordLocation(text) { found.insert(location) }
                }
            }
            return found
        }
    }

    /// The rows listed without their event's location (entries listed in a delivery's own
    /// transaction), from `since` on.
    public func unrecordedAuditEntries(since: Date) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT time, actor, action, detail, result_count, client, signature FROM audit_log
                WHERE record IS NULL AND time >= ? ORDER BY id
                """, arguments: [since.timeIntervalSince1970]).map { row in
                AuditEntry(time: Date(timeIntervalSince1970: row[0]), actor: row[1], action: row[2], detail: row[3],
                           resultCount: row[4], client: row[5], signature: row[6])
            }
        }
    }
}

/// One row of the catalog's audit log as `tresor audit --verify` compares it with the archive.
public struct AuditLogRow: Sendable, Hashable {
    public var id: Int64
    public var entry: AuditEntry
    /// The audit event's record in the archive; nil for entries kept in the catalog only.
    public var record: RecordLocation?
}

extension CatalogGovernance {
    /// Every row of the audit log, oldest first, with its id and record.
    public func auditRows() async throws -> [AuditLogRow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, time, actor, action, detail, result_count, client, record, signature FROM audit_log ORDER BY id
                """).map { row in
                AuditLogRow(
                    id: row[0],
                    entry: AuditEntry(time: Date(timeIntervalSince1970: row[1]), actor: row[2], action: row[3],
                                      detail: row[4], resultCount: row[5], client: row[6], signature: row[8]),
                    record: (row[7] as String?).flatMap(RecordLocation.init))
            }
        }
    }
}
