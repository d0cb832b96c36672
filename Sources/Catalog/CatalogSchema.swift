import GRDB

/// The catalog's tables, created and upgraded by one `DatabaseMigrator`. Append migrations;
/// never edit a shipped one.
///
/// ```
/// message      one row per distinct body (sha256): parsed metadata, body record location
/// delivery     one row per delivery (envelope record location, unique): direction, source,
///              MAIL FROM, RCPT TO, archive time
/// address      (message, role, folded address, reversed domain) for exact address and domain search;
///              roles: from sender reply-to to cc bcc env-from env-to (bcc = header Bcc and envelope
///              recipients not in To/Cc)
/// message_fts  FTS5, rowid = message.id: subject, body, attachment, from_text, to_text, cc_text,
///              bcc_text, participant (names and addresses); unicode61 with diacritics removed;
///              prefix indexes for 2- and 3-character prefixes, so that `w3*` does not scan every term
/// audit_log    who searched, showed, imported, exported… (not derived: `reset()` keeps it)
/// ```
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
        return migrator
    }

    /// Deletes everything derived from the archive, keeping the audit log (and the migrations table).
    static func deleteDerivedData(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM message_fts;
            DELETE FROM address;
            DELETE FROM delivery;
            DELETE FROM message;
            """)
    }
}
