import GRDB

extension CatalogSchema {
    /// "v11": the operators the archive's governance records name, cached like holds and locks.
    /// ```
    /// governance_operator  name, role, Ed25519 public key (hex), who added them when, and when
    ///                      they were revoked; rebuilt by `reindex` from the archive
    /// ```
    static func migrateToGovernance(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE governance_operator (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                public_key TEXT NOT NULL,
                added_by TEXT NOT NULL,
                added_at REAL NOT NULL,
                revoked_by TEXT,
                revoked_at REAL
            ) WITHOUT ROWID;
            """)
    }
}
