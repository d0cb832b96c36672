import GRDB

extension CatalogSchema {
    /// "v10": the received time and the retention floors, both derived from envelope records (so
    /// `reset()` clears and `reindex` restores them).
    /// ```
    /// message          + received_at      the latest received time of its deliveries (retention
    ///                                     counts from it); archived_at stays the first archiving
    /// delivery         + received_source  where received_at was read (`ReceivedTimeSource`)
    ///                  + archived_at      when Tresor archived it (an import's own time)
    /// retention_floor  per delivery, each locked policy's promise stamped when it arrived: the
    ///                  message is not purged before `until` (policy, hash of its text, until,
    ///                  the envelope record that carries it)
    /// catalog_state    + lock_generation: bumped by triggers on every change of retention_lock, so
    ///                  that a delivery knows with one read whether its cached locked policies hold
    /// protection_setting   the one row of the data directory's protection settings (require_approval,
    ///                  auto_purge), who changed them when, and the governance record that journaled
    ///                  it; no row: never set (both off)
    /// protection_proposal  a proposal to lower them, waiting for a different person's approval
    /// mailbox          + a unique index: at most one `\Drafts` mailbox per user (a second one could
    ///                  keep mail out of the archive); of older duplicates the first keeps the use
    /// ```
    /// Rows indexed before "v10" get received_at = archived_at and source NULL (the archive time).
    static func migrateToReceivedTime(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE message ADD COLUMN received_at REAL;
            UPDATE message SET received_at = archived_at;
            ALTER TABLE delivery ADD COLUMN received_source TEXT;
            ALTER TABLE delivery ADD COLUMN archived_at REAL;
            CREATE TABLE retention_floor (
                message INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                policy TEXT NOT NULL,
                policy_hash TEXT NOT NULL,
                until REAL NOT NULL,
                envelope_segment INTEGER NOT NULL,
                envelope_offset INTEGER NOT NULL
            );
            CREATE INDEX retention_floor_message ON retention_floor(message);
            INSERT OR IGNORE INTO catalog_state (key, value) VALUES ('lock_generation', 0);
            CREATE TRIGGER retention_lock_insert AFTER INSERT ON retention_lock BEGIN
                UPDATE catalog_state SET value = value + 1 WHERE key = 'lock_generation'; END;
            CREATE TRIGGER retention_lock_update AFTER UPDATE ON retention_lock BEGIN
                UPDATE catalog_state SET value = value + 1 WHERE key = 'lock_generation'; END;
            CREATE TRIGGER retention_lock_delete AFTER DELETE ON retention_lock BEGIN
                UPDATE catalog_state SET value = value + 1 WHERE key = 'lock_generation'; END;
            UPDATE mailbox SET special_use = NULL
            WHERE lower(special_use) = '\\drafts' AND id > (
                SELECT min(other.id) FROM mailbox other
                WHERE other.user = mailbox.user AND lower(other.special_use) = '\\drafts');
            CREATE UNIQUE INDEX mailbox_one_drafts ON mailbox(user) WHERE lower(special_use) = '\\drafts';
            CREATE TABLE protection_setting (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                require_approval INTEGER NOT NULL,
                auto_purge INTEGER NOT NULL,
                changed_by TEXT NOT NULL,
                changed_at REAL NOT NULL,
                record_segment INTEGER NOT NULL,
                record_offset INTEGER NOT NULL
            );
            CREATE TABLE protection_proposal (
                id TEXT PRIMARY KEY,
                from_require_approval INTEGER NOT NULL,
                from_auto_purge INTEGER NOT NULL,
                require_approval INTEGER NOT NULL,
                auto_purge INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                created_at REAL NOT NULL,
                status TEXT NOT NULL,
                decided_by TEXT,
                decided_at REAL
            );
            """)
    }
}
