import GRDB

extension CatalogSchema {
    /// "v15": the full-text index keeps no text of its own, and addresses are kept once. Until "v14", `message_fts` was an
    /// ordinary FTS5 table, which stores every indexed value a second time (`message_fts_content`:
    /// an uncompressed copy of each message's text beside the archive's compressed one), and kept
    /// prefix indexes for 2 and 3 characters (about half of the index, for queries like `ab*` only;
    /// longer prefixes never used them). Now:
    /// ```
    /// message_fts      FTS5 with content='' (contentless): terms and their positions only. A document
    ///                  is removed by handing FTS5 the values it was indexed with, which
    ///                  `FullTextDocument` derives from the archived message and its address rows.
    /// message          + body_text_cut: 1 when the body text was cut at `indexedBodyLimit` (IMAP
    ///                  SEARCH then checks the message itself; this was read off the stored text)
    /// catalog_state    + full_text_format: the `Catalog.fullTextFormat` every document was built
    ///                  with; 0 while documents of an older format may be missing (rebuild pending)
    ///                  + full_text_rebuilt_through: while a rebuild runs, the last message id done
    /// ```
    /// ```
    /// address          one table and one index instead of a table and two indexes: the primary
    ///                  key (rdomain, address, role, message) answers an exact address (its domain is
    ///                  known), a domain and its subdomains (a range of rdomain) and an address
    ///                  prefix (`alice@ex*`: one range per distinct domain, found by skipping through
    ///                  the key); `address_message` (message, role) answers a message's addresses
    /// ```
    /// The old documents are dropped, not converted: their stored text came from whatever extraction
    /// earlier versions ran, and removing a contentless document needs exactly the indexed values.
    /// `DeliveryPipeline.bringFullTextUpToDate` builds every document anew from the archive.
    static func migrateToContentlessText(_ db: Database) throws {
        try db.execute(sql: """
            DROP TABLE message_fts;
            CREATE VIRTUAL TABLE message_fts USING fts5(
                subject, body, attachment, from_text, to_text, cc_text, bcc_text, participant,
                tokenize = "\(IndexTokenizer.declaration)", content = ''
            );
            ALTER TABLE message ADD COLUMN body_text_cut INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE address_v15 (
                message INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                role TEXT NOT NULL,
                address TEXT NOT NULL,
                rdomain TEXT NOT NULL,
                PRIMARY KEY (rdomain, address, role, message)
            ) WITHOUT ROWID;
            INSERT INTO address_v15 (message, role, address, rdomain) SELECT message, role, address, rdomain FROM address;
            DROP TABLE address;
            ALTER TABLE address_v15 RENAME TO address;
            CREATE INDEX address_message ON address(message, role);
            DELETE FROM catalog_state WHERE key IN ('full_text_format', 'full_text_rebuilt_through');
            INSERT INTO catalog_state (key, value)
                VALUES ('full_text_format', CASE WHEN EXISTS (SELECT 1 FROM message) THEN 0 ELSE \(Catalog.fullTextFormat) END);
            """)
    }
}
