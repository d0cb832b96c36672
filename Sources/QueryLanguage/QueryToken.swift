/// One lexical unit of a query, with its 1-based column.
///
/// Lexical rules:
/// - whitespace separates tokens; `(` and `)` are tokens of their own;
/// - `-` at the start of a token (not inside a word like `e-mail`) negates what follows;
/// - the bare, upper-case words `OR`, `AND` and `NOT` are operators (`or` is an ordinary word);
/// - `"…"` is a phrase; inside it `\"` is a quote and `\\` a backslash;
/// - `name:value` is a field term when `name` is letters and hyphens (so `12:30` stays a word);
///   the value is a bare word or a phrase;
/// - a bare word or phrase directly followed by `*` is a prefix.
struct QueryToken: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case open, close, not, or, and
        case term(QueryWord)
    }
    var kind: Kind
    var column: Int
}

/// A term as written: optional field name, then the value.
struct QueryWord: Hashable, Sendable {
    var field: String?
    var fieldColumn: Int
    var value: String
    var valueColumn: Int
    var quoted: Bool
    var prefix: Bool
}

/// Splits query text into tokens. Columns count `Character`s from 1.
struct QueryLexer {
    private let characters: [Character]
    private var index = 0

    init(_ text: String) {
        characters = Array(text)
    }

    private var column: Int { index + 1 }

    /// The column just after the last character.
    var endColumn: Int { characters.count + 1 }

    private static func isBreak(_ c: Character) -> Bool {
        c.isWhitespace || c == "(" || c == ")" || c == "\""
    }

    mutating func next() throws(QueryError) -> QueryToken? {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        guard index < characters.count else { return nil }
        let start = column
        let c = characters[index]
        switch c {
        case "(":
            index += 1
            return QueryToken(kind: .open, column: start)
        case ")":
            index += 1
            return QueryToken(kind: .close, column: start)
        case "-":
            index += 1
            guard index < characters.count, !characters[index].isWhitespace, characters[index] != ")" else {
                throw QueryError(column: start, message: "nothing to exclude after \"-\"")
            }
            return QueryToken(kind: .not, column: start)
        case "\"":
            let (phrase, prefix) = try readPhrase()
            let word = QueryWord(field: nil, fieldColumn: start, value: phrase, valueColumn: start,
                                 quoted: true, prefix: prefix)
            return QueryToken(kind: .term(word), column: start)
        default:
            let run = readRun()
            switch run {
            case "OR": return QueryToken(kind: .or, column: start)
            case "AND": return QueryToken(kind: .and, column: start)
            case "NOT": return QueryToken(kind: .not, column: start)
            default: break
            }
            if let colon = run.firstIndex(of: ":"), colon != run.startIndex,
                run[..<colon].allSatisfy({ ($0.isASCII && $0.isLetter) || $0 == "-" })
            {
                let field = String(run[..<colon])
                let rest = String(run[run.index(after: colon)...])
                let valueColumn = start + field.count + 1
                if rest.isEmpty {
                    if index < characters.count, characters[index] == "\"" {
                        let (phrase, prefix) = try readPhrase()
                        let word = QueryWord(field: field, fieldColumn: start, value: phrase,
                                             valueColumn: valueColumn, quoted: true, prefix: prefix)
                        return QueryToken(kind: .term(word), column: start)
                    }
                    throw QueryError(column: valueColumn, message: "missing value after \"\(field):\"")
                }
                // A scoped field (`in:attachment:"a phrase"`): the phrase follows the second colon.
                if rest.hasSuffix(":"), index < characters.count, characters[index] == "\"" {
                    let (phrase, prefix) = try readPhrase()
                    let word = QueryWord(field: field, fieldColumn: start, value: rest + phrase,
                                         valueColumn: valueColumn, quoted: true, prefix: prefix)
                    return QueryToken(kind: .term(word), column: start)
                }
                let (value, prefix) = Self.splitPrefix(rest)
                let word = QueryWord(field: field, fieldColumn: start, value: value, valueColumn: valueColumn,
                                     quoted: false, prefix: prefix)
                return QueryToken(kind: .term(word), column: start)
            }
            let (value, prefix) = Self.splitPrefix(run)
            let word = QueryWord(field: nil, fieldColumn: start, value: value, valueColumn: start,
                                 quoted: false, prefix: prefix)
            return QueryToken(kind: .term(word), column: start)
        }
    }

    /// Reads characters up to whitespace, a parenthesis or a quote.
    private mutating func readRun() -> String {
        var run = ""
        while index < characters.count, !Self.isBreak(characters[index]) {
            run.append(characters[index])
            index += 1
        }
        return run
    }

    /// Reads `"…"` starting at the opening quote, and a `*` right after the closing one.
    private mutating func readPhrase() throws(QueryError) -> (String, Bool) {
        let open = column
        index += 1
        var text = ""
        while index < characters.count {
            let c = characters[index]
            if c == "\\", index + 1 < characters.count, characters[index + 1] == "\"" || characters[index + 1] == "\\" {
                text.append(characters[index + 1])
                index += 2
                continue
            }
            index += 1
            if c == "\"" {
                if index < characters.count, characters[index] == "*" {
                    index += 1
                    return (text, true)
                }
                return (text, false)
            }
            text.append(c)
        }
        throw QueryError(column: open, message: "unclosed quote")
    }

    /// `invoic*` → ("invoic", true). Several trailing stars count as one.
    private static func splitPrefix(_ run: String) -> (String, Bool) {
        guard run.hasSuffix("*") else { return (run, false) }
        var value = run
        while value.hasSuffix("*") { value.removeLast() }
        return (value, true)
    }
}
