import GRDB
import MailMessage
import QueryLanguage

/// Which text of a message a snippet is cut from; each takes the query's words that can match it.
public enum SnippetField: Sendable, Hashable {
    /// The Subject: free words and `subject:`.
    case subject
    /// The body text: free words and `body:`.
    case body
    /// An attachment's extracted text: free words, `body:` and `in:attachment:`.
    case attachmentText

    func takes(_ field: TextField) -> Bool {
        switch self {
        case .subject: field == .any || field == .subject
        case .body: field == .any || field == .body
        case .attachmentText: field == .any || field == .body || field == .attachmentText
        }
    }
}

/// Finds where a query's words stand in a text, by the rules the index matched them with: the
/// text goes through `SearchFolding` and FTS5's own tokenizer (`IndexTokenizer.declaration`) in a
/// private in-memory table, and FTS5's `highlight()` marks every instance of the query's phrases.
/// So a snippet marks exactly what the search matched — `Straße` for `strasse`, `Zoë` for `zoe`,
/// `contr*` as a prefix, a phrase only where its words stand together — and no Swift imitation of
/// the tokenizer can drift from the index.
public enum MatchHighlighter {
    /// Markers `highlight()` puts around each match: private-use scalars, which `SearchFolding`
    /// leaves alone and mail text has no business holding (a text holding them gets no marks).
    static let open: Unicode.Scalar = "\u{F8F0}", close: Unicode.Scalar = "\u{F8F1}"

    private static let database: Result<DatabaseQueue, any Error> = Result {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE sample USING fts5(text, tokenize = \"\(IndexTokenizer.declaration)\")")
        }
        return queue
    }

    /// The FTS5 expression of the words of `query` that may match `field`: every text term not
    /// under a negation, ORed (a snippet shows any of them). Nil when the query has none.
    public static func expression(_ query: SearchQuery, for field: SnippetField) -> String? {
        var phrases: [String] = []
        func visit(_ node: QueryNode) {
            switch node {
            case .and(let children), .or(let children): children.forEach(visit)
            case .not: break  // words that must be absent are nowhere to be marked
            case .term(.text(let textField, let text, let prefix)) where field.takes(textField):
                let phrase = QueryCompiler.phrase(text, prefix: prefix, columns: "text")
                if !phrases.contains(phrase) { phrases.append(phrase) }
            case .term: break
            }
        }
        visit(query.root)
        return phrases.isEmpty ? nil : phrases.joined(separator: " OR ")
    }

    /// The matches of `expression` in `text` as ranges of Unicode scalar offsets into `text`
    /// (not into its folded form), in order; empty when none of the words stands in it.
    public static func matches(of expression: String, in text: String) async throws -> [Range<Int>] {
        let original = Array(text.unicodeScalars)
        guard !original.contains(open), !original.contains(close) else { return [] }
        let queue = try database.get()
        let highlighted: String? = try await queue.writeWithoutTransaction { db in
            var result: String?
            // Never committed: the rollback leaves the table empty for the next caller.
            try db.inTransaction {
                try db.execute(sql: "INSERT INTO sample (rowid, text) VALUES (1, ?)", arguments: [SearchFolding.fold(text)])
                result = try String.fetchOne(db, sql: "SELECT highlight(sample, 0, ?, ?) FROM sample WHERE sample MATCH ?",
                                             arguments: [String(open), String(close), expression])
                return .rollback
            }
            return result
        }
        guard let highlighted else { return [] }
        return ranges(highlighted: highlighted, original: original)
    }

    /// Reads the markers' places back onto the original text. The highlighted text is the folded
    /// text with markers put in, and folding only ever turns one `ß` or `ẞ` into "ss", so walking
    /// both side by side puts every marker at its original offset.
    static func ranges(highlighted: String, original: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0, start: Int?, secondS = false
        for scalar in highlighted.unicodeScalars {
            if scalar == open {
                start = index
            } else if scalar == close {
                if let begun = start, begun < index { ranges.append(begun..<index) }
                start = nil
            } else if secondS {
                secondS = false
                index += 1
            } else if index < original.count, original[index] == "\u{00DF}" || original[index] == "\u{1E9E}" {
                secondS = true  // the first "s" of "ss": the second ends this original scalar
            } else {
                index += 1
            }
        }
        return ranges
    }
}
