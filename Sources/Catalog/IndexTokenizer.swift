import GRDB
import MailMessage

/// Cuts text into terms exactly as `message_fts` does: SQLite's own `unicode61` tokenizer with
/// `remove_diacritics 2`, run over the text in a private in-memory database. A Swift imitation would
/// drift from it (unicode61 keeps Greek tonos and `ß`, drops combining marks, folds `ſ` to `s`, counts
/// `²` as a digit), and a value folded differently from the index would miss terms that hold it.
enum IndexTokenizer {
    /// The tokenizer declaration of `message_fts` (CatalogSchema "v1").
    static let declaration = "unicode61 remove_diacritics 2"

    private static let database: Result<DatabaseQueue, any Error> = Result {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE sample USING fts5(text, tokenize = "\(declaration)");
                CREATE VIRTUAL TABLE sample_terms USING fts5vocab(sample, 'instance');
                """)
        }
        return queue
    }

    /// The folded terms of `text`, in the order they occur (repeats kept). `SearchFolding` first,
    /// as every document is folded before FTS5 sees it (`FullTextDocument`).
    static func terms(_ text: String) async throws -> [String] {
        let text = SearchFolding.fold(text)
        let queue = try database.get()
        return try await queue.writeWithoutTransaction { db in
            var terms: [String] = []
            // The sample is never committed: the rollback leaves the table empty for the next caller.
            try db.inTransaction {
                try db.execute(sql: "INSERT INTO sample (rowid, text) VALUES (1, ?)", arguments: [text])
                terms = try String.fetchAll(db, sql: "SELECT term FROM sample_terms ORDER BY offset")
                return .rollback
            }
            return terms
        }
    }
}
