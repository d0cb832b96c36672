import GRDB

extension CatalogSchema {
    /// "v20": the DLP quarantine, outgoing messages held from the outbound queue. Not derivable
    /// from the archive alone (the decision is the operator's), so `reset()` keeps it.
    /// ```
    /// dlp_quarantine  one row per held delivery: when, the message (sha256) and its envelope
    ///                 record, the sender, the external recipients (newline-separated), the
    ///                 subject, the rules (comma-separated); status held | released | rejected,
    ///                 and who decided, when and why
    /// ```
    static func migrateToQuarantine(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE dlp_quarantine (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                held_at REAL NOT NULL,
                sha256 TEXT NOT NULL,
                envelope TEXT NOT NULL,
                mail_from TEXT NOT NULL,
                recipients TEXT NOT NULL,
                subject TEXT NOT NULL,
                rules TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'held',
                decided_at REAL,
                decided_by TEXT,
                reason TEXT
            );
            CREATE INDEX dlp_quarantine_status ON dlp_quarantine(status);
            """)
    }
}
