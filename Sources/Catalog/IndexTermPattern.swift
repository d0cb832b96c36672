import GRDB

/// Where one word of an IMAP SEARCH value must sit among the indexed terms of a message that
/// contains the value. IMAP matches substrings (RFC 3501 §6.4.4), and a substring of the text cuts
/// into words exactly where the text does, except at its two ends: so when a value cuts into the
/// words w1 … wn (as the index cuts and folds text), a text holding it holds a term ending with w1,
/// the terms w2 … wn-1, and a term starting with wn; a value of one word w sits inside some term.
enum IndexTermPattern: Hashable, Sendable {
    /// A lone word: inside a term.
    case inside(String)
    /// The first of several words: the end of a term.
    case ending(String)
    /// A word between others: a whole term.
    case whole(String)
    /// The last of several words: the start of a term.
    case starting(String)

    /// The patterns of a value cut into `words` (in order).
    static func patterns(forWords words: [String]) -> [IndexTermPattern] {
        guard words.count > 1 else { return words.map(IndexTermPattern.inside) }
        return words.indices.map { index in
            switch index {
            case words.startIndex: .ending(words[index])
            case words.index(before: words.endIndex): .starting(words[index])
            default: .whole(words[index])
            }
        }
    }

    var word: String {
        switch self {
        case .inside(let word), .ending(let word), .whole(let word), .starting(let word): word
        }
    }

    /// Whether finding the terms takes a scan of the vocabulary: FTS5 looks up whole terms and term
    /// prefixes itself, but not what lies inside or at the end of a term.
    var needsVocabularyScan: Bool {
        switch self {
        case .inside, .ending: true
        case .whole, .starting: false
        }
    }

    /// Whether the indexed `term` fits, compared as UTF-8 bytes (as SQLite's `instr` and `substr`
    /// compare valid UTF-8 text).
    func matches(_ term: String) -> Bool {
        let term = Array(term.utf8), word = Array(word.utf8)
        switch self {
        case .inside: return Self.bytes(term, contain: word)
        case .ending: return term.count >= word.count && term.suffix(word.count).elementsEqual(word)
        case .whole: return term == word
        case .starting: return term.count >= word.count && term.prefix(word.count).elementsEqual(word)
        }
    }

    /// The SQL condition on a vocabulary's `term` column that selects the fitting terms, with its
    /// arguments (SQLite's `length` and `substr` count code points).
    var sqlCondition: (sql: String, arguments: StatementArguments) {
        let length = word.unicodeScalars.count
        return switch self {
        case .inside: ("instr(term, ?) > 0", [word])
        case .ending: ("substr(term, ?) = ?", [-length, word])
        case .whole: ("term = ?", [word])
        case .starting: ("substr(term, 1, ?) = ?", [length, word])
        }
    }

    /// The FTS5 query text for a pattern that FTS5 resolves itself (nil for the others): the word
    /// quoted, so that no user syntax reaches FTS5, with `*` for a prefix.
    var ftsQuery: String? {
        switch self {
        case .whole(let word): Self.quoted(word)
        case .starting(let word): Self.quoted(word) + "*"
        case .inside, .ending: nil
        }
    }

    /// An FTS5 string: in double quotes, inner quotes doubled (https://sqlite.org/fts5.html §3.1).
    static func quoted(_ term: String) -> String {
        "\"" + String(term.flatMap { $0 == "\"" ? "\"\"" : String($0) }) + "\""
    }

    private static func bytes(_ haystack: [UInt8], contain needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
