import Foundation
import GRDB
import QueryLanguage
import StoreModel

extension CatalogGovernance {
    /// Every operator's IMAP access, by name.
    public func operatorAccess() async throws -> [String: OperatorAccess] {
        try await pool.read { db in
            var result: [String: OperatorAccess] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, password_hash, scope, searches FROM operator_access") {
                result[row[0]] = try Self.access(row)
            }
            return result
        }
    }

    /// One operator's IMAP access, or nil.
    public func operatorAccess(named name: String) async throws -> OperatorAccess? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT name, password_hash, scope, searches FROM operator_access WHERE name = ?",
                             arguments: [name]).map(Self.access)
        }
    }

    /// Changes one operator's IMAP access in one transaction (a row is made when there is none).
    public func updateOperatorAccess(named name: String, _ change: @Sendable (inout OperatorAccess) -> Void) async throws {
        try await pool.write { db in
            var access = try Row.fetchOne(db, sql: """
                SELECT name, password_hash, scope, searches FROM operator_access WHERE name = ?
                """, arguments: [name]).map(Self.access) ?? OperatorAccess()
            change(&access)
            try Self.insert(access, named: name, db)
        }
    }

    static func insert(_ access: OperatorAccess, named name: String, _ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let scope = try access.scope.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let searches = String(decoding: try encoder.encode(access.searches), as: UTF8.self)
        try db.execute(sql: """
            INSERT OR REPLACE INTO operator_access (name, password_hash, scope, searches) VALUES (?, ?, ?, ?)
            """, arguments: [name, access.passwordHash, scope, searches])
    }

    private static func access(_ row: Row) throws -> OperatorAccess {
        let decoder = JSONDecoder()
        let scope = try (row[2] as String?).map { try decoder.decode(AuditorScopeDefinition.self, from: Data($0.utf8)) }
        let searches = try decoder.decode([String: String].self, from: Data((row[3] as String).utf8))
        return OperatorAccess(passwordHash: row[1], scope: scope, searches: searches)
    }
}

extension CatalogMessages {
    /// The archived messages `condition` matches, in row order (which is archive order), with what
    /// an auditor's read-only view needs. The size with CRLF line ends comes from any placement of
    /// the same body that recorded it.
    /// `ids`: only these rows (a FETCH's UIDs), still only where `condition` matches.
    public func scopedMessages(matching condition: QueryNode, ids: [Int64]? = nil) async throws -> [ScopedMessage] {
        let matched = QueryCompiler.condition(condition)
        let sql: SQL = ids.map { "(\(matched)) AND m.id IN \($0)" } ?? matched
        return try await pool.read { db in
            try Row.fetchAll(db, SQLRequest(literal: """
                SELECT m.id, m.sha256, m.archived_at,
                    (SELECT p.transmitted_size FROM mailbox_message p
                     WHERE p.sha256 = m.sha256 AND p.transmitted_size IS NOT NULL LIMIT 1)
                FROM message m WHERE \(sql) ORDER BY m.id
                """)
            ).map { row in
                ScopedMessage(id: row[0], sha256: row[1], archivedAt: Date(timeIntervalSince1970: row[2]),
                              transmittedSize: row[3])
            }
        }
    }
}
