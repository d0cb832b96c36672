import GRDB

extension CatalogSchema {
    /// "v7": purges (the retention issue's archive part). Not derivable from the archive alone in
    /// its progress columns, so `reset()` keeps it:
    /// ```
    /// purge      one row per purge, written before its archive record: id (also in the record),
    ///            phase (journaling → journaled → done), who, why, the items (JSON: sha256, policy,
    ///            scope), the newest segment when it began (where a crash's record is looked for),
    ///            the purge record's location once journaled, and what it removed
    /// draft      + kept (1: a copy an `.archiveOnly` purge kept of a message whose archive copy went,
    ///            for the users who still have it placed — segment 0 placements; 0: a real draft),
    ///            + index on sha256: readers that name a message by SHA-256 find a kept copy when
    ///            the archive no longer has it (never a draft)
    /// ```
    static func migrateToPurges(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE purge (
                id TEXT PRIMARY KEY,
                phase TEXT NOT NULL,
                created REAL NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL,
                items TEXT NOT NULL,
                from_segment INTEGER NOT NULL,
                record_segment INTEGER,
                record_offset INTEGER,
                messages INTEGER NOT NULL DEFAULT 0,
                deliveries INTEGER NOT NULL DEFAULT 0,
                placements INTEGER NOT NULL DEFAULT 0,
                bytes_reclaimed INTEGER NOT NULL DEFAULT 0,
                segments_rewritten INTEGER NOT NULL DEFAULT 0,
                finished REAL
            ) WITHOUT ROWID;
            CREATE INDEX purge_phase ON purge(phase);
            ALTER TABLE draft ADD COLUMN kept INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX draft_sha256 ON draft(sha256, kept);
            """)
    }
}
