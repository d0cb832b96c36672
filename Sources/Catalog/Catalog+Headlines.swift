import Foundation
import GRDB
import QueryLanguage
import StoreModel

extension CatalogMessages {
    /// Date, sender and subject of each message in `ids` (lower-case hex SHA-256s), by id; ids the
    /// catalog does not hold are absent. Looked up in batches, each one indexed lookup per id.
    public func headlines(of ids: [String]) async throws -> [String: MessageHeadline] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in
            var found: [String: MessageHeadline] = [:]
            // SQLite allows 32766 bound parameters; 500 a statement keeps each one small.
            var start = ids.startIndex
            while start < ids.endIndex {
                let end = ids.index(start, offsetBy: 500, limitedBy: ids.endIndex) ?? ids.endIndex
                let batch = Array(ids[start..<end])
                let rows = try Row.fetchAll(
                    db, sql: """
                        SELECT sha256, date, COALESCE(received_at, archived_at), from_list, subject FROM message
                        WHERE sha256 IN (\(databaseQuestionMarks(count: batch.count)))
                        """, arguments: StatementArguments(batch))
                for row in rows {
                    let headline = MessageHeadline(
                        id: row[0], date: (row[1] as Double?).map(Date.init(timeIntervalSince1970:)),
                        receivedAt: Date(timeIntervalSince1970: row[2]), from: Catalog.lines(row[3]), subject: row[4])
                    found[headline.id] = headline
                }
                start = end
            }
            return found
        }
    }

    /// The messages a reference from outside Tresor names, as SHA-256s (several when the reference
    /// is not unique): a Message-ID (`<id@host>`, brackets optional; compared ignoring case, as
    /// `message-id:` searches compare) or the SMTP transaction id of a delivery (the `id` of its
    /// `transaction` log line and of its Received field), which the catalog keeps as the delivery's
    /// source detail.
    public func messages(reference: String) async throws -> [String] {
        var text = Substring(reference.trimmingWhitespace())
        if text.hasPrefix("<") && text.hasSuffix(">") { text = text.dropFirst().dropLast() }
        guard !text.isEmpty else { return [] }
        let key = TextFolding.key(String(text))
        let detail = String(text)
        return try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT sha256 FROM message WHERE message_id_key = ?
                UNION
                SELECT m.sha256 FROM delivery d JOIN message m ON m.id = d.message
                WHERE d.source_detail = ? AND d.source IN ('smtp', 'submission')
                ORDER BY 1 LIMIT 20
                """, arguments: [key, detail])
        }
    }
}
