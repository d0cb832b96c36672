import GRDB

extension CatalogSchema {
    /// "v17": the text of attachment documents, read after delivery by the background indexer.
    /// ```
    /// attachment       one row per attachment of a message read by the indexer: position, MIME
    ///                  part, file name, media type, decoded size, and state ("extracted" or why not)
    /// attachment_fts   FTS5, rowid = message.id: `text`, the extracted text of all its attachments.
    ///                  Unlike `message_fts` it keeps its text: a contentless document can only be
    ///                  removed with the very values it was indexed with, and extraction does not
    ///                  promise to repeat (another pdftotext, a time limit hit once and not again),
    ///                  so removal by rowid is the only safe one; it also gives search its snippets
    /// catalog_state    + attachments_read_through: the last message id (archive order) the indexer did
    /// ```
    /// A message row's removal removes its attachment rows and document (trigger), so purges, reindex
    /// and expunges need no step of their own. Existing messages are read by the indexer from the start.
    static func migrateToAttachmentText(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE attachment (
                message INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                part TEXT NOT NULL,
                file_name TEXT,
                media_type TEXT NOT NULL,
                size INTEGER NOT NULL,
                state TEXT NOT NULL,
                PRIMARY KEY (message, position)
            ) WITHOUT ROWID;
            CREATE INDEX attachment_unextracted ON attachment(message) WHERE state != 'extracted';
            CREATE VIRTUAL TABLE attachment_fts USING fts5(text, tokenize = "\(IndexTokenizer.declaration)");
            CREATE TRIGGER message_attachment_text AFTER DELETE ON message BEGIN
                DELETE FROM attachment_fts WHERE rowid = old.id;
                DELETE FROM attachment WHERE message = old.id;
            END;
            INSERT OR REPLACE INTO catalog_state (key, value) VALUES ('attachments_read_through', 0);
            """)
    }
}
