import GRDB
import MailMessage
import StoreModel

extension Catalog {
    /// The version of the text a message is indexed with: `FullTextDocument.values`, which reads
    /// `PreparedMessage`'s subject, body and attachment text, `searchable` for the address columns
    /// and the envelope's address rows, folded by `SearchFolding` and cut into terms by
    /// `IndexTokenizer.declaration`. The index is contentless, and FTS5 removes a contentless
    /// document only when handed the very values it indexed; so whenever any of those changes,
    /// this number goes up, and the next
    /// `DeliveryPipeline.bringFullTextUpToDate` drops every document and builds them all anew.
    ///
    /// 2: the body holds every text-bearing part (message/* reports, nested messages' header
    /// fields) and every column is folded by `SearchFolding` (`ß` as "ss").
    public static let fullTextFormat: Int64 = 2
}

/// The values of one message's `message_fts` document, in column order: subject, body, attachment,
/// from_text, to_text, cc_text, bcc_text, participant, each folded by `SearchFolding`. A pure
/// function of the message and of its envelope address rows (read in a fixed order), so that the
/// document can be removed again later from the archived bytes alone; this is the only place the
/// values are derived.
struct FullTextDocument: Equatable {
    let values: [String]

    init(_ message: PreparedMessage, envelope rows: [(role: String, address: String)]) {
        let blind = rows.filter { $0.role == AddressRole.bcc.rawValue }.map(\.address)
        let participants = rows.filter { $0.role != AddressRole.bcc.rawValue }.map(\.address)
        values = [
            message.ftsSubject, message.ftsBody, message.ftsAttachment, message.fromText, message.toText,
            message.ccText, message.bccText + "\n" + blind.joined(separator: "\n"),
            message.headerParticipants + "\n" + participants.joined(separator: "\n"),
        ].map(SearchFolding.fold)
    }

    static func == (lhs: FullTextDocument, rhs: FullTextDocument) -> Bool { lhs.values == rhs.values }
}

/// The statements that read and write `message_fts` documents, prepared once per transaction.
struct FullTextStatements {
    let exists, envelopeAddresses, insert, delete: Statement

    init(_ db: Database) throws {
        // FTS5 keeps one row per document in its docsize table, also when contentless.
        exists = try db.cachedStatement(sql: "SELECT 1 FROM message_fts_docsize WHERE id = ?")
        envelopeAddresses = try db.cachedStatement(sql: """
            SELECT role, address FROM address WHERE message = ?
            AND role IN ('\(AddressRole.bcc.rawValue)', '\(AddressRole.envelopeFrom.rawValue)', '\(AddressRole.envelopeTo.rawValue)')
            ORDER BY role, address
            """)
        let columns = "subject, body, attachment, from_text, to_text, cc_text, bcc_text, participant"
        insert = try db.cachedStatement(sql: "INSERT INTO message_fts (rowid, \(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        // FTS5's 'delete' command for contentless tables (https://sqlite.org/fts5.html §4.4.3).
        delete = try db.cachedStatement(sql: """
            INSERT INTO message_fts (message_fts, rowid, \(columns)) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    func hasDocument(_ row: Int64) throws -> Bool {
        try Bool.fetchOne(exists, arguments: [row]) ?? false
    }

    func document(of message: PreparedMessage, row: Int64) throws -> FullTextDocument {
        let rows = try Row.fetchAll(envelopeAddresses, arguments: [row]).map { (role: $0[0] as String, address: $0[1] as String) }
        return FullTextDocument(message, envelope: rows)
    }

    func insert(_ document: FullTextDocument, row: Int64) throws {
        try insert.execute(arguments: StatementArguments([row] + document.values.map { $0 as any DatabaseValueConvertible }))
    }

    func delete(_ document: FullTextDocument, row: Int64) throws {
        try delete.execute(arguments: StatementArguments([row] + document.values.map { $0 as any DatabaseValueConvertible }))
    }
}

/// A message whose document is to be written or removed: its row and the parsed archived bytes.
public struct FullTextSource: Sendable {
    public let row: Int64
    public let message: Message

    public init(row: Int64, message: Message) {
        self.row = row
        self.message = message
    }
}

/// Where a message's body lies, for reading its text back from the archive.
public struct IndexedBody: Sendable, Hashable {
    public let row: Int64
    public let sha256: String
    public let body: RecordLocation
}

extension CatalogMessages {
    /// Whether every document was built with `Catalog.fullTextFormat` (no rebuild pending).
    public func fullTextIsCurrent() async throws -> Bool {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'full_text_format'")
                == Catalog.fullTextFormat
        }
    }

    /// The next messages a pending rebuild has to index, in id order after the last one done; the
    /// first call of a rebuild drops every document. Empty when no rebuild is pending or all are done.
    public func fullTextRebuildBatch(limit: Int) async throws -> [IndexedBody] {
        try await pool.write { db in
            let format = try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'full_text_format'")
            guard format != Catalog.fullTextFormat else { return [] }
            var through = try Int64.fetchOne(
                db, sql: "SELECT value FROM catalog_state WHERE key = 'full_text_rebuilt_through'")
            if through == nil {
                // Documents of another format cannot be removed one by one: all go, then all come back.
                try db.execute(sql: "INSERT INTO message_fts(message_fts) VALUES ('delete-all')")
                try db.execute(sql: "INSERT INTO catalog_state (key, value) VALUES ('full_text_rebuilt_through', 0)")
                through = 0
            }
            return try Row.fetchAll(db, sql: """
                SELECT id, sha256, body_segment, body_offset FROM message WHERE id > ? ORDER BY id LIMIT ?
                """, arguments: [through, limit]).map { row in
                IndexedBody(row: row[0], sha256: row[1],
                            body: RecordLocation(segment: UInt32(row[2] as Int64), offset: UInt64(row[3] as Int64)))
            }
        }
    }

    /// Writes the documents of one rebuild batch (skipping messages indexed meanwhile by a delivery)
    /// and records `through` as done, in one transaction.
    public func writeRebuiltFullText(_ sources: [FullTextSource], through: Int64) async throws {
        let prepared = sources.map { (row: $0.row, message: PreparedMessage($0.message)) }
        try await pool.write { db in
            let statements = try FullTextStatements(db)
            let cut = try db.cachedStatement(sql: "UPDATE message SET body_text_cut = ? WHERE id = ?")
            for source in prepared {
                try cut.execute(arguments: [source.message.bodyTextCut, source.row])
                guard try !statements.hasDocument(source.row) else { continue }
                try statements.insert(try statements.document(of: source.message, row: source.row), row: source.row)
            }
            try db.execute(sql: """
                UPDATE catalog_state SET value = max(value, ?) WHERE key = 'full_text_rebuilt_through'
                """, arguments: [through])
        }
    }

    /// Ends a rebuild whose batches are all written: the index is current again.
    public func finishFullTextRebuild() async throws {
        try await pool.write { db in
            try db.execute(sql: """
                DELETE FROM catalog_state WHERE key = 'full_text_rebuilt_through';
                INSERT OR REPLACE INTO catalog_state (key, value) VALUES ('full_text_format', \(Catalog.fullTextFormat));
                """)
        }
    }

    /// Drops every document and marks the index for a rebuild: the way out when a document has to go
    /// and its message's bytes cannot be read back.
    public func discardFullText() async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO message_fts(message_fts) VALUES ('delete-all');
                DELETE FROM catalog_state WHERE key = 'full_text_rebuilt_through';
                INSERT OR REPLACE INTO catalog_state (key, value) VALUES ('full_text_format', 0);
                """)
        }
    }

    /// Removes these messages' documents (those still present), computing each from the archived
    /// message and its address rows exactly as it was indexed; one transaction.
    public func removeFullText(_ sources: [FullTextSource]) async throws {
        let prepared = sources.map { (row: $0.row, message: PreparedMessage($0.message)) }
        try await pool.write { db in
            let statements = try FullTextStatements(db)
            for source in prepared where try statements.hasDocument(source.row) {
                try statements.delete(try statements.document(of: source.message, row: source.row), row: source.row)
            }
        }
    }
}

/// Whether every message can be found by its words: the index's format, and messages and
/// documents that lack each other (`tresor verify`).
public struct FullTextCoverage: Sendable, Hashable {
    public var isCurrent: Bool
    /// The SHA-256s of messages without a document (not listed while a rebuild is pending).
    public var messagesWithoutDocument: [String]
    /// Documents whose message row does not exist.
    public var documentsWithoutMessage: Int
}

extension CatalogMessages {
    public func fullTextCoverage() async throws -> FullTextCoverage {
        try await pool.read { db in
            let current = try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'full_text_format'")
                == Catalog.fullTextFormat
            return FullTextCoverage(
                isCurrent: current,
                messagesWithoutDocument: current ? try String.fetchAll(db, sql: """
                    SELECT m.sha256 FROM message m WHERE NOT EXISTS (SELECT 1 FROM message_fts_docsize d WHERE d.id = m.id)
                    ORDER BY m.id
                    """) : [],
                documentsWithoutMessage: try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM message_fts_docsize d WHERE NOT EXISTS (SELECT 1 FROM message m WHERE m.id = d.id)
                    """) ?? 0)
        }
    }
}
