import Foundation
import GRDB
import QueryLanguage
import StoreModel

extension CatalogMessages {
    /// The messages `query` matches (all messages for nil), in catalog order, with only the columns
    /// retention needs: one lean read, cheap enough to run once per policy and hold on 100,000 messages.
    public func retentionCandidates(matching query: SearchQuery?) async throws -> [RetentionCandidate] {
        let condition: SQL = query.map { QueryCompiler.condition($0.root) } ?? "1"
        return try await pool.read { db in
            try Row.fetchAll(
                db, SQLRequest(literal: """
                    SELECT m.sha256, m.date, m.archived_at, m.received_at,
                        (SELECT MAX(f.until) FROM retention_floor f WHERE f.message = m.id)
                    FROM message m WHERE \(condition)
                    """)
            ).map { row in
                RetentionCandidate(
                    sha256: row[0], date: (row[1] as Double?).map(Date.init(timeIntervalSince1970:)),
                    archivedAt: Date(timeIntervalSince1970: row[2]),
                    receivedAt: (row[3] as Double?).map(Date.init(timeIntervalSince1970:)),
                    floor: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// The floors stamped at arrival, per locked policy version: how many messages, earliest and latest.
    public func retentionFloorSummary() async throws -> [RetentionFloorSummary] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT policy, policy_hash, COUNT(DISTINCT message), MIN(until), MAX(until)
                FROM retention_floor GROUP BY policy, policy_hash ORDER BY policy, MIN(until)
                """).map { row in
                RetentionFloorSummary(policy: row[0], policyHash: row[1], messages: row[2],
                                      earliest: Date(timeIntervalSince1970: row[3]), latest: Date(timeIntervalSince1970: row[4]))
            }
        }
    }

    /// How many messages `query` matches (all messages for nil).
    public func retentionCount(matching query: SearchQuery?) async throws -> Int {
        guard let query else {
            return try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0 }
        }
        return try await count(query)
    }

    /// A fingerprint of the archive's messages as the catalog lists them: the number of messages and
    /// deliveries and the highest row id of each. Any arrival (a new delivery, even of a known body)
    /// or removal changes it, so a purge plan made on one state is refused on another.
    public func retentionArchiveState() async throws -> String {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM message), (SELECT IFNULL(MAX(id), 0) FROM message),
                    (SELECT COUNT(*) FROM delivery), (SELECT IFNULL(MAX(id), 0) FROM delivery)
                """)!
            return "messages=\(row[0] as Int64)/\(row[1] as Int64) deliveries=\(row[2] as Int64)/\(row[3] as Int64)"
        }
    }
}
