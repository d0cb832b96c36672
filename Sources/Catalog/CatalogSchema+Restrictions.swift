import GRDB

extension CatalogSchema {
    /// "v12": restrictions of processing (GDPR Art. 18) and the private-mail rule, cached from the
    /// archive's governance records like holds (rebuilt by `reindex`), and the restricted messages.
    /// ```
    /// processing_restriction  a case by name (unique for ever): its query, why, who placed it and
    ///                         when, who released it, when and why
    /// restricted_message      (restriction, sha256): the messages an active restriction's query
    ///                         matches — filled when it is placed, extended whenever a message is
    ///                         indexed (so mail arriving later is covered), emptied for a case when
    ///                         it is released. Derived: `deleteDerivedData` empties it and indexing
    ///                         fills it again. Owners' views leave out every SHA-256 listed here,
    ///                         one indexed lookup per message instead of a query per message.
    /// private_mail_rule       one row (id 1): folder, keyword and query of the rule in force,
    ///                         who set it and when
    /// ```
    static func migrateToRestrictions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE processing_restriction (
                name TEXT PRIMARY KEY,
                query TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at REAL NOT NULL,
                released_by TEXT,
                released_at REAL,
                release_reason TEXT
            ) WITHOUT ROWID;
            CREATE TABLE restricted_message (
                sha256 TEXT NOT NULL,
                restriction TEXT NOT NULL REFERENCES processing_restriction(name) ON DELETE CASCADE,
                PRIMARY KEY (sha256, restriction)
            ) WITHOUT ROWID;
            CREATE INDEX restricted_message_restriction ON restricted_message(restriction);
            CREATE TABLE private_mail_rule (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                folder TEXT,
                keyword TEXT,
                query TEXT,
                set_by TEXT NOT NULL,
                set_at REAL NOT NULL
            );
            """)
    }
}
