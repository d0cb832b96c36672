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

    /// "v12": auditors' IMAP access as the governance records set it, cached like the operators.
    /// ```
    /// operator_access  name, the IMAP password's PHC hash, the scope (JSON: cases, query) and the
    ///                  saved searches (JSON: name → query); rebuilt by `reindex` from the archive
    /// ```
    static func migrateToOperatorAccess(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE operator_access (
                name TEXT PRIMARY KEY,
                password_hash TEXT,
                scope TEXT,
                searches TEXT NOT NULL DEFAULT '{}'
            ) WITHOUT ROWID;
            """)
    }
}
