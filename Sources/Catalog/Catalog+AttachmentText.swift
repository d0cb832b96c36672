import GRDB
import MailMessage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the background indexer read from one message's attachments.
public struct AttachmentReading: Sendable {
    public let row: Int64
    public let attachments: [AttachmentRecord]
    /// The extracted text of all of them, in order.
    public let text: String

    public init(row: Int64, attachments: [AttachmentRecord], text: String) {
        self.row = row
        self.attachments = attachments
        self.text = text
    }
}

extension CatalogMessages {
    /// The next messages with attachments the indexer has not read, in archive order (message id)
    /// after the last one done.
    public func attachmentReadingBatch(limit: Int) async throws -> [IndexedBody] {
        try await pool.read { db in
            let through = try Int64.fetchOne(
                db, sql: "SELECT value FROM catalog_state WHERE key = 'attachments_read_through'") ?? 0
            return try Row.fetchAll(db, sql: """
                SELECT id, sha256, body_segment, body_offset FROM message
                WHERE id > ? AND has_attachments = 1 ORDER BY id LIMIT ?
                """, arguments: [through, limit]).map { row in
                IndexedBody(row: row[0], sha256: row[1],
                            body: RecordLocation(segment: UInt32(row[2] as Int64), offset: UInt64(row[3] as Int64)))
            }
        }
    }

    /// Records what was read (attachment rows and the text document, replacing any earlier reading
    /// of the same message) and `through` as done, in one transaction. A message purged meanwhile
    /// is skipped.
    public func recordAttachmentReadings(_ readings: [AttachmentReading], through: Int64) async throws {
        try await pool.write { db in
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM message WHERE id = ?")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO attachment (message, position, part, file_name, media_type, size, state)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            let document = try db.cachedStatement(sql: "INSERT INTO attachment_fts (rowid, text) VALUES (?, ?)")
            for reading in readings {
                guard try Bool.fetchOne(exists, arguments: [reading.row]) ?? false else { continue }
                try db.execute(sql: "DELETE FROM attachment WHERE message = ?", arguments: [reading.row])
                try db.execute(sql: "DELETE FROM attachment_fts WHERE rowid = ?", arguments: [reading.row])
                for record in reading.attachments {
                    try insert.execute(arguments: [reading.row, record.position, record.part, record.fileName,
                                                   record.mediaType, record.size, record.state])
                }
                if !reading.text.isEmpty {
                    try document.execute(arguments: [reading.row, SearchFolding.fold(reading.text)])
                }
            }
            try db.execute(sql: """
                UPDATE catalog_state SET value = max(value, ?) WHERE key = 'attachments_read_through'
                """, arguments: [through])
        }
    }

    /// Drops every attachment reading and starts the indexer over from the first message
    /// (`tresor reindex --attachments`, or a change of what is extracted).
    public func restartAttachmentReading() async throws {
        try await pool.write { db in
            try db.execute(sql: """
                DELETE FROM attachment;
                DELETE FROM attachment_fts;
                UPDATE catalog_state SET value = 0 WHERE key = 'attachments_read_through';
                """)
        }
    }

    /// How far the indexer is behind: messages with attachments after the last one read, and the
    /// age of the oldest of them by `now`.
    public func attachmentIndexLag(now: Date) async throws -> AttachmentIndexLag {
        try await pool.read { db in
            let through = try Int64.fetchOne(
                db, sql: "SELECT value FROM catalog_state WHERE key = 'attachments_read_through'") ?? 0
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), min(archived_at) FROM message WHERE id > ? AND has_attachments = 1
                """, arguments: [through])
            let count: Int = row?[0] ?? 0
            let oldest: Double? = row?[1]
            return AttachmentIndexLag(messages: count,
                                      seconds: oldest.map { max(0, now.timeIntervalSince1970 - $0) } ?? 0)
        }
    }

    /// The attachments of the message with this SHA-256 as the indexer recorded them; empty when
    /// it has not read them (yet).
    public func attachmentRecords(sha256: String) async throws -> [AttachmentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.position, a.part, a.file_name, a.media_type, a.size, a.state
                FROM attachment a JOIN message m ON m.id = a.message WHERE m.sha256 = ? ORDER BY a.position
                """, arguments: [sha256.lowercased()]).map { row in
                AttachmentRecord(position: row[0], part: row[1], fileName: row[2], mediaType: row[3], size: row[4],
                                 state: row[5])
            }
        }
    }

    /// Whether the indexer has read the attachments of the message with this SHA-256 (true also
    /// for a message without attachments).
    public func attachmentsRead(sha256: String) async throws -> Bool {
        try await pool.read { db in
            let through = try Int64.fetchOne(
                db, sql: "SELECT value FROM catalog_state WHERE key = 'attachments_read_through'") ?? 0
            guard let row = try Row.fetchOne(db, sql: "SELECT id, has_attachments FROM message WHERE sha256 = ?",
                                             arguments: [sha256.lowercased()]) else { return false }
            return (row[1] as Int64) == 0 || (row[0] as Int64) <= through
        }
    }
}

extension CatalogMessages {
    /// Whether the attachment text the indexer recorded for the message with this SHA-256 matches
    /// the FTS5 `expression` (over the column `text`): so a snippet re-reads attachment documents
    /// only of messages where one of the query's words stands in them.
    public func attachmentTextMatches(_ expression: String, sha256: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM attachment_fts WHERE attachment_fts MATCH ?
                AND rowid = (SELECT id FROM message WHERE sha256 = ?)
                """, arguments: [expression, sha256.lowercased()]) ?? false
        }
    }
}
