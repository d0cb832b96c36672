import GRDB
import StoreModel

/// The catalog's tables, created and upgraded by one `DatabaseMigrator`. Append migrations;
/// never edit a shipped one.
///
/// ```
/// message      one row per distinct body (sha256): parsed metadata, body record location
/// delivery     one row per delivery (envelope record location, unique): direction, source,
///              MAIL FROM, RCPT TO, archive time; since "v18" the MX checks' results (`+AuthenticationResults.swift`)
/// address      (message, role, folded address, reversed domain) for exact address and domain search;
///              roles: from sender reply-to to cc bcc env-from env-to (bcc = header Bcc and envelope
///              recipients not in To/Cc); keyed by (rdomain, address, role, message) since "v15"
/// message_fts  FTS5, rowid = message.id: subject, body, attachment, from_text, to_text, cc_text,
///              bcc_text, participant (names and addresses); unicode61 with diacritics removed;
///              contentless and without prefix indexes since "v15" (`+ContentlessText.swift`)
/// audit_log    who searched, showed, imported, exported… (not derived: `reset()` keeps it); since
///              "v9" with the client's address and the location of the audit event in the archive
/// ```
///
/// Since "v2", accounts and mail state, none of it derivable from the archive, so `reset()` keeps it:
/// ```
/// domain          the local domains (RFC 5321 domains, folded to lower case)
/// user            one row per account: email (folded), password hash (PHC string), created
/// alias           an address that expands to alias_target rows (local users or remote addresses)
/// mailbox         a user's folders: name, UIDVALIDITY, UIDNEXT (RFC 3501 §2.3.1.1), SPECIAL-USE (RFC 6154)
/// mailbox_message a message placed into a mailbox: UID, flags, INTERNALDATE; it names the body by
///                 sha256 and the delivery by its envelope location, never by a `message` row id, so a
///                 reindex (which renumbers `message`) leaves it valid; UNIQUE(mailbox, envelope) makes
///                 placing one delivery idempotent
/// routed          the envelope locations whose routing (placement + queueing) is done, so that recovery
///                 never places a delivery twice, even after the user expunged it
/// outbound_queue  one row per (delivery, remote recipient): status, attempts, next attempt, last error
/// catalog_state   small named values: the UIDVALIDITY counter, the recovery checkpoint
/// user_quota      since "v19", a user's own storage quota set with `tresor user quota` (`+Quota.swift`)
/// ```
///
/// Since "v3", Sieve scripts (RFC 5228; managed over RFC 5804 ManageSieve and `tresor rules`), also
/// not derivable, so `reset()` keeps them:
/// ```
/// sieve_script    a user's scripts by name: source text, whether it is the user's one active script
///                 (a partial unique index allows at most one per user), last change
/// sieve_global    the one global script (row id 1), run before every user's own
/// catalog_state   + `sieve_generation`: bumped by triggers on every change to either table (a user's
///                 removal cascading to their scripts too), so a delivery learns with one cheap read
///                 whether the scripts it compiled and cached are still current, even when another
///                 process (the CLI) changed them
/// ```
///
/// Since "v4", IMAP state (RFC 3501 §2.3, RFC 7162 CONDSTORE), also not derivable, so `reset()` keeps it:
/// ```
/// mailbox            + highest_modseq: HIGHESTMODSEQ (RFC 7162 §3.1.2.1); every change in the mailbox
///                    (placement, flag change, expunge) takes the next value and leaves it here
/// mailbox_message    rebuilt: flags split into `system_flags` (a bit mask, `MessageFlags.System`, so
///                    \Deleted and \Seen are tested in SQL) and `keywords` (space separated atoms);
///                    + modseq (RFC 7162 §3.1.1), + routed (1: placed by routing a delivery — only these
///                    are unique per (mailbox, envelope), so a COPY may place one message twice);
///                    envelope_segment 0 names the draft store: envelope_offset is then a `draft.id`
/// mailbox_expunged   tombstones: (mailbox, uid, modseq of the expunge), so a session learns what
///                    vanished since a modseq (RFC 7162 §3.2.5.2); kept until the mailbox is deleted
/// mailbox_subscription  the subscribed names of a user (RFC 3501 §6.3.6: a name stays subscribed when
///                    its mailbox is deleted); supersedes `mailbox.subscribed`, which is no longer read
/// draft              the bytes of messages APPENDed into a \Drafts mailbox (RFC 6154): drafts change
///                    constantly and are no business records, so they never reach the archive; a row
///                    lives while a placement names it (segment 0) and is removed with the last one
/// ```
///
/// Since "v5":
/// ```
/// mailbox_message    + transmitted_size: the octets of the message with CRLF line ends, what IMAP
///                    reports as RFC822.SIZE and sends as BODY[] (RFC 3501 §2.3.4); filled when a
///                    message is placed, NULL for placements older than "v5" until first needed
/// ```
///
/// Since "v6" (retention and legal holds: `legal_hold`, `retention_lock`, `purge_plan`,
/// `purge_plan_item`), "v7" (purges: `purge`, `draft.kept`) and "v8" (outbound delivery: the
/// attempt, claim and bounce columns of `outbound_queue`), each migration documents its tables in
/// its own file (`CatalogSchema+Retention.swift`, `+Purge.swift`, `+Delivery.swift`). None of them is
/// derivable from the archive, so `reset()` keeps them all. So do the later ones ("v11"
/// `+Governance.swift`, "v12" `+Restrictions.swift`, "v16" `+SieveState.swift`), except `restricted_message`, which indexing
/// derives from the active restrictions: `reset()` empties it.
enum CatalogSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE message (
                    id INTEGER PRIMARY KEY,
                    sha256 TEXT NOT NULL UNIQUE,
                    date REAL,
                    sort_date REAL NOT NULL,
                    archived_at REAL NOT NULL,
                    subject TEXT,
                    from_list TEXT NOT NULL,
                    sender_list TEXT NOT NULL,
                    reply_to_list TEXT NOT NULL,
                    to_list TEXT NOT NULL,
                    cc_list TEXT NOT NULL,
                    bcc_list TEXT NOT NULL,
                    message_id TEXT,
                    message_id_key TEXT,
                    size INTEGER NOT NULL,
                    has_attachments INTEGER NOT NULL,
                    attachments TEXT NOT NULL,
                    body_segment INTEGER NOT NULL,
                    body_offset INTEGER NOT NULL
                );
                CREATE INDEX message_order ON message(sort_date, archived_at, id);
                CREATE INDEX message_size ON message(size);
                CREATE INDEX message_message_id ON message(message_id_key);

                CREATE TABLE delivery (
                    id INTEGER PRIMARY KEY,
                    message INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                    envelope_segment INTEGER NOT NULL,
                    envelope_offset INTEGER NOT NULL,
                    mail_from TEXT NOT NULL,
                    recipients TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    client_address TEXT,
                    helo TEXT,
                    authenticated_user TEXT,
                    direction TEXT NOT NULL,
                    source TEXT NOT NULL,
                    source_key TEXT NOT NULL,
                    source_detail TEXT,
                    UNIQUE (envelope_segment, envelope_offset)
                );
                CREATE INDEX delivery_message ON delivery(message);
                CREATE INDEX delivery_direction ON delivery(direction, message);
                CREATE INDEX delivery_source ON delivery(source_key, message);

                CREATE TABLE address (
                    message INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    address TEXT NOT NULL,
                    rdomain TEXT NOT NULL,
                    PRIMARY KEY (message, role, address)
                ) WITHOUT ROWID;
                CREATE INDEX address_lookup ON address(address, role, message);
                CREATE INDEX address_domain ON address(rdomain, role, message);

                CREATE VIRTUAL TABLE message_fts USING fts5(
                    subject, body, attachment, from_text, to_text, cc_text, bcc_text, participant,
                    tokenize = "unicode61 remove_diacritics 2", prefix = "2 3"
                );

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    time REAL NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    result_count INTEGER
                );
                CREATE INDEX audit_log_time ON audit_log(time);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE domain (
                    name TEXT PRIMARY KEY,
                    created REAL NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE user (
                    id INTEGER PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    domain TEXT NOT NULL REFERENCES domain(name),
                    password_hash TEXT NOT NULL,
                    created REAL NOT NULL
                );
                CREATE INDEX user_domain ON user(domain);

                CREATE TABLE alias (
                    address TEXT PRIMARY KEY,
                    domain TEXT NOT NULL REFERENCES domain(name),
                    created REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX alias_domain ON alias(domain);
                CREATE TABLE alias_target (
                    alias TEXT NOT NULL REFERENCES alias(address) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    target TEXT NOT NULL,
                    PRIMARY KEY (alias, position)
                ) WITHOUT ROWID;
                CREATE INDEX alias_target_target ON alias_target(target);

                CREATE TABLE mailbox (
                    id INTEGER PRIMARY KEY,
                    user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    uid_validity INTEGER NOT NULL,
                    uid_next INTEGER NOT NULL,
                    special_use TEXT,
                    subscribed INTEGER NOT NULL,
                    UNIQUE (user, name)
                );

                CREATE TABLE mailbox_message (
                    mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                    uid INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    flags TEXT NOT NULL,
                    internal_date REAL NOT NULL,
                    envelope_segment INTEGER NOT NULL,
                    envelope_offset INTEGER NOT NULL,
                    PRIMARY KEY (mailbox, uid),
                    UNIQUE (mailbox, envelope_segment, envelope_offset)
                ) WITHOUT ROWID;
                CREATE INDEX mailbox_message_sha256 ON mailbox_message(sha256);

                CREATE TABLE routed (
                    envelope_segment INTEGER NOT NULL,
                    envelope_offset INTEGER NOT NULL,
                    time REAL NOT NULL,
                    PRIMARY KEY (envelope_segment, envelope_offset)
                ) WITHOUT ROWID;

                CREATE TABLE outbound_queue (
                    id INTEGER PRIMARY KEY,
                    envelope_segment INTEGER NOT NULL,
                    envelope_offset INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    mail_from TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt REAL NOT NULL,
                    last_error TEXT,
                    created REAL NOT NULL,
                    UNIQUE (envelope_segment, envelope_offset, recipient)
                );
                CREATE INDEX outbound_queue_due ON outbound_queue(status, next_attempt);

                CREATE TABLE catalog_state (
                    key TEXT PRIMARY KEY,
                    value INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE sieve_script (
                    user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    source TEXT NOT NULL,
                    active INTEGER NOT NULL,
                    updated REAL NOT NULL,
                    PRIMARY KEY (user, name)
                );
                CREATE UNIQUE INDEX sieve_script_one_active ON sieve_script(user) WHERE active;

                CREATE TABLE sieve_global (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    source TEXT NOT NULL,
                    updated REAL NOT NULL
                );

                INSERT OR IGNORE INTO catalog_state (key, value) VALUES ('sieve_generation', 0);
                CREATE TRIGGER sieve_script_inserted AFTER INSERT ON sieve_script BEGIN
                    UPDATE catalog_state SET value = value + 1 WHERE key = 'sieve_generation'; END;
                CREATE TRIGGER sieve_script_updated AFTER UPDATE ON sieve_script BEGIN
                    UPDATE catalog_state SET value = value + 1 WHERE key = 'sieve_generation'; END;
                CREATE TRIGGER sieve_script_deleted AFTER DELETE ON sieve_script BEGIN
                    UPDATE catalog_state SET value = value + 1 WHERE key = 'sieve_generation'; END;
                CREATE TRIGGER sieve_global_inserted AFTER INSERT ON sieve_global BEGIN
                    UPDATE catalog_state SET value = value + 1 WHERE key = 'sieve_generation'; END;
                CREATE TRIGGER sieve_global_updated AFTER UPDATE ON sieve_global BEGIN
                    UPDATE catalog_state SET value = value + 1 WHERE key = 'sieve_generation'; END;
                CREATE TRIGGER sieve_global_deleted AFTER DELETE ON sieve_global BEGIN
                    UPDATE catalog_state SET value = value + 1 WHERE key = 'sieve_generation'; END;
                """)
        }
        migrator.registerMigration("v4") { db in
            try migrateToIMAPState(db)
        }
        migrator.registerMigration("v5") { db in
            // NULL: placed before "v5"; the IMAP backend computes it at first SELECT and stores it
            // (`Catalog.recordTransmittedSizes`), so no body is read twice for its size.
            try db.execute(sql: "ALTER TABLE mailbox_message ADD COLUMN transmitted_size INTEGER")
        }
        migrator.registerMigration("v6") { db in try migrateToRetention(db) }
        migrator.registerMigration("v7") { db in try migrateToPurges(db) }
        migrator.registerMigration("v8") { db in try migrateToDelivery(db) }
        migrator.registerMigration("v9") { db in
            // The client's address, and the audit event in the archive that this row lists (so
            // `tresor audit --verify` can pair each row with its record).
            try db.execute(sql: """
                ALTER TABLE audit_log ADD COLUMN client TEXT;
                ALTER TABLE audit_log ADD COLUMN record TEXT;
                """)
        }
        migrator.registerMigration("v10") { db in try migrateToReceivedTime(db) }
        migrator.registerMigration("v11") { db in try migrateToGovernance(db) }
        migrator.registerMigration("v12") { db in try migrateToRestrictions(db) }
        migrator.registerMigration("v13") { db in
            // The protection setting that content reads at the command line need an operator's key
            // (off for settings and proposals recorded before it existed), and the signature an
            // operator's key puts on their audit entries.
            try db.execute(sql: """
                ALTER TABLE protection_setting ADD COLUMN require_operator INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE protection_proposal ADD COLUMN from_require_operator INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE protection_proposal ADD COLUMN require_operator INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE audit_log ADD COLUMN signature TEXT;
                """)
        }
        migrator.registerMigration("v14") { db in try migrateToOperatorAccess(db) }
        migrator.registerMigration("v15") { db in try migrateToContentlessText(db) }
        migrator.registerMigration("v16") { db in try migrateToSieveState(db) }
        migrator.registerMigration("v17") { db in try migrateToAttachmentText(db) }
        migrator.registerMigration("v18") { db in try migrateToAuthenticationResults(db) }
        migrator.registerMigration("v19") { db in try migrateToQuota(db) }
        migrator.registerMigration("v20") { db in try migrateToQuarantine(db) }
        return migrator
    }

    /// "v4": rebuilds `mailbox_message` with split flags, MODSEQ and the `routed` mark, and adds the
    /// tombstone, subscription and draft tables. Existing placements get MODSEQ 1 (the
    /// HIGHESTMODSEQ every mailbox starts with); their flag text is split by `MessageFlags`.
    private static func migrateToIMAPState(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE mailbox ADD COLUMN highest_modseq INTEGER NOT NULL DEFAULT 1;

            CREATE TABLE mailbox_message_v4 (
                mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                uid INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                system_flags INTEGER NOT NULL,
                keywords TEXT NOT NULL,
                internal_date REAL NOT NULL,
                envelope_segment INTEGER NOT NULL,
                envelope_offset INTEGER NOT NULL,
                routed INTEGER NOT NULL,
                modseq INTEGER NOT NULL,
                PRIMARY KEY (mailbox, uid)
            ) WITHOUT ROWID;
            """)
        let insert = try db.makeStatement(sql: """
            INSERT INTO mailbox_message_v4 (mailbox, uid, sha256, size, system_flags, keywords, internal_date,
                envelope_segment, envelope_offset, routed, modseq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1)
            """)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT mailbox, uid, sha256, size, flags, internal_date, envelope_segment, envelope_offset
            FROM mailbox_message
            """)
        while let row = try rows.next() {
            let flags = MessageFlags(stored: (row[4] as String).split(separator: " ").map(String.init))
            try insert.execute(arguments: [
                row[0] as Int64, row[1] as Int64, row[2] as String, row[3] as Int64, flags.system.rawValue,
                flags.storedKeywords, row[5] as Double, row[6] as Int64, row[7] as Int64,
            ])
        }
        try db.execute(sql: """
            DROP TABLE mailbox_message;
            ALTER TABLE mailbox_message_v4 RENAME TO mailbox_message;
            CREATE INDEX mailbox_message_sha256 ON mailbox_message(sha256);
            CREATE UNIQUE INDEX mailbox_message_delivery
                ON mailbox_message(mailbox, envelope_segment, envelope_offset) WHERE routed;
            CREATE INDEX mailbox_message_modseq ON mailbox_message(mailbox, modseq);
            CREATE INDEX mailbox_message_body ON mailbox_message(envelope_segment, envelope_offset);

            CREATE TABLE mailbox_expunged (
                mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                uid INTEGER NOT NULL,
                modseq INTEGER NOT NULL,
                PRIMARY KEY (mailbox, uid)
            ) WITHOUT ROWID;
            CREATE INDEX mailbox_expunged_modseq ON mailbox_expunged(mailbox, modseq);

            CREATE TABLE mailbox_subscription (
                user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                PRIMARY KEY (user, name)
            ) WITHOUT ROWID;
            INSERT INTO mailbox_subscription (user, name) SELECT user, name FROM mailbox WHERE subscribed;

            CREATE TABLE draft (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                sha256 TEXT NOT NULL,
                raw BLOB NOT NULL,
                created REAL NOT NULL
            );
            CREATE INDEX draft_user ON draft(user);
            """)
    }

    /// Deletes everything derived from the archive, keeping the audit log (and the migrations table).
    static func deleteDerivedData(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM retention_floor;
            DELETE FROM restricted_message;
            INSERT INTO message_fts(message_fts) VALUES ('delete-all');
            DELETE FROM catalog_state WHERE key = 'full_text_rebuilt_through';
            INSERT OR REPLACE INTO catalog_state (key, value) VALUES ('full_text_format', \(Catalog.fullTextFormat));
            DELETE FROM address;
            DELETE FROM delivery;
            DELETE FROM message;
            DELETE FROM attachment;
            DELETE FROM attachment_fts;
            INSERT OR REPLACE INTO catalog_state (key, value) VALUES ('attachments_read_through', 0);
            """)
    }
}
