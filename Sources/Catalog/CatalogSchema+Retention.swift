import GRDB

extension CatalogSchema {
    /// "v6": retention and legal holds. None of it is derivable from the archive, so `reset()` keeps it
    /// (`deleteDerivedData` names none of these tables):
    /// ```
    /// legal_hold        a case by name (unique forever, so a released case keeps its history): the
    ///                   query it holds, why, who placed it and when, and who released it, when and why;
    ///                   a hold is a query, evaluated whenever retention plans, so mail that arrives
    ///                   while it is active is held too
    /// retention_lock    for each policy marked `locked = true`, the strictest version seen so far
    ///                   (match, retain, count_from, action, and the file it came from); a later version
    ///                   that deletes earlier or more is refused while messages it governs exist
    /// purge_plan        a plan `tresor retention apply` wrote under `require_approval`: who made it,
    ///                   when, the instant it evaluated (`as_of`), the archive state and policy
    ///                   fingerprint it was made on, and its fate (pending, executed, expired)
    /// purge_plan_item   the messages of a plan (by SHA-256, never by `message` row id), the policy
    ///                   that expired each, its scope, and when its period ended
    /// ```
    static func migrateToRetention(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE legal_hold (
                name TEXT PRIMARY KEY,
                query TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at REAL NOT NULL,
                released_by TEXT,
                released_at REAL,
                release_reason TEXT
            ) WITHOUT ROWID;

            CREATE TABLE retention_lock (
                policy TEXT PRIMARY KEY,
                match TEXT NOT NULL,
                retain TEXT NOT NULL,
                count_from TEXT NOT NULL,
                action TEXT NOT NULL,
                file TEXT NOT NULL,
                recorded_at REAL NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE purge_plan (
                id TEXT PRIMARY KEY,
                created_by TEXT NOT NULL,
                created_at REAL NOT NULL,
                as_of REAL NOT NULL,
                archive_state TEXT NOT NULL,
                policy_fingerprint TEXT NOT NULL,
                status TEXT NOT NULL,
                decided_by TEXT,
                decided_at REAL,
                outcome TEXT
            ) WITHOUT ROWID;

            CREATE TABLE purge_plan_item (
                plan TEXT NOT NULL REFERENCES purge_plan(id) ON DELETE CASCADE,
                sha256 TEXT NOT NULL,
                policy TEXT NOT NULL,
                scope TEXT NOT NULL,
                expired_at REAL NOT NULL,
                PRIMARY KEY (plan, sha256)
            ) WITHOUT ROWID;
            """)
    }
}
