/// A parsed search query (DESIGN.md "Search"). Parsing checks every field and value, so a
/// `SearchQuery` always compiles to valid SQL.
///
/// Grammar (precedence as in Gmail: negation, then OR, then implicit AND):
/// ```
/// query   = and-list EOF
/// and-list = or-list *( [ "AND" ] or-list )
/// or-list = unary *( "OR" unary )
/// unary   = ( "-" / "NOT" ) unary / primary
/// primary = "(" and-list ")" / term
/// term    = "*" / [ field ":" ] ( word / phrase ) [ "*" ]
/// ```
/// A `*` alone is every message.
/// Parentheses and negations together nest at most `maximumNesting` deep.
public struct SearchQuery: Hashable, Sendable {
    public let root: QueryNode
    /// The text the query was parsed from.
    public let text: String

    /// How deep parentheses and negations may nest: each `(` and each `-` or `NOT` is one level.
    /// The parser, the compiler and the tree itself recurse once per level, so a bound keeps a
    /// hostile query (a policy file, a hold, `tresor search`) from exhausting the stack. 32 is
    /// what IMAP SEARCH accepts (`IMAPLimits.nestingDepth`), so any IMAP search key fits; and
    /// SQLite 3.40 parses SQL and FTS5 expressions with a fixed stack of 100 entries, which the
    /// compiled text of the deepest shapes fills at about 64 levels (`QueryCompiler`).
    public static let maximumNesting = 32

    public init(parsing text: String) throws(QueryError) {
        var parser = QueryParser(lexer: QueryLexer(text))
        root = try parser.parseQuery()
        self.text = text
    }

    public init(root: QueryNode, text: String = "") {
        self.root = root
        self.text = text
    }
}

/// Recursive descent over `QueryToken`s, read one at a time from the lexer (so a query that
/// nests too deep is refused as soon as it does, before the rest is read); see `SearchQuery` for
/// the grammar. `depth` counts the open parentheses and negations around the current token.
struct QueryParser {
    private var lexer: QueryLexer
    private var lookahead: QueryToken?
    private var depth = 0

    init(lexer: QueryLexer) {
        self.lexer = lexer
        lookahead = nil
    }

    /// The next token, not consumed; nil at the end of the text.
    private mutating func current() throws(QueryError) -> QueryToken? {
        if lookahead == nil { lookahead = try lexer.next() }
        return lookahead
    }

    private mutating func advance() {
        lookahead = nil
    }

    /// Enters one level of parentheses or negation at `token`; refuses more than `maximumNesting`.
    private mutating func enter(_ token: QueryToken) throws(QueryError) {
        depth += 1
        guard depth <= SearchQuery.maximumNesting else {
            throw QueryError(column: token.column,
                             message: "parentheses and negations nested more than \(SearchQuery.maximumNesting) deep")
        }
    }

    mutating func parseQuery() throws(QueryError) -> QueryNode {
        guard try current() != nil else { throw QueryError(column: 1, message: "empty query") }
        return try parseAndList(nested: false)
    }

    /// Parses terms up to the end, or up to (not including) a ")" when `nested`.
    private mutating func parseAndList(nested: Bool) throws(QueryError) -> QueryNode {
        var children: [QueryNode] = []
        while let token = try current() {
            switch token.kind {
            case .close:
                guard nested else { throw QueryError(column: token.column, message: "unmatched \")\"") }
                guard !children.isEmpty else { throw QueryError(column: token.column, message: "empty parentheses") }
                return children.count == 1 ? children[0] : .and(children)
            case .and:
                guard !children.isEmpty else {
                    throw QueryError(column: token.column, message: "AND needs a term before it")
                }
                advance()
                guard let next = try current(), Self.startsTerm(next) else {
                    throw QueryError(column: token.column, message: "AND needs a term after it")
                }
            case .or:
                throw QueryError(column: token.column, message: "OR needs a term before it")
            default:
                children.append(try parseOrList())
            }
        }
        guard !children.isEmpty else { throw QueryError(column: 1, message: "empty query") }
        return children.count == 1 ? children[0] : .and(children)
    }

    private static func startsTerm(_ token: QueryToken) -> Bool {
        switch token.kind {
        case .open, .not, .term: true
        case .close, .or, .and: false
        }
    }

    private mutating func parseOrList() throws(QueryError) -> QueryNode {
        var children = [try parseUnary()]
        while let token = try current(), token.kind == .or {
            advance()
            guard let next = try current(), Self.startsTerm(next) else {
                throw QueryError(column: token.column, message: "OR needs a term after it")
            }
            children.append(try parseUnary())
        }
        return children.count == 1 ? children[0] : .or(children)
    }

    private mutating func parseUnary() throws(QueryError) -> QueryNode {
        guard let token = try current() else {
            throw QueryError(column: lexer.endColumn, message: "unexpected end of query")
        }
        switch token.kind {
        case .not:
            try enter(token)
            defer { depth -= 1 }
            advance()
            guard let next = try current(), Self.startsTerm(next) else {
                throw QueryError(column: token.column, message: "nothing to exclude after \"-\"")
            }
            let child = try parseUnary()
            if case .not(let inner) = child { return inner }
            return .not(child)
        case .open:
            try enter(token)
            defer { depth -= 1 }
            advance()
            guard try current() != nil else { throw QueryError(column: token.column, message: "unclosed parenthesis") }
            let inner = try parseAndList(nested: true)
            guard let close = try current(), close.kind == .close else {
                throw QueryError(column: token.column, message: "unclosed parenthesis")
            }
            advance()
            return inner
        case .term(let word):
            advance()
            return .term(try QueryTerm(word))
        case .close:
            throw QueryError(column: token.column, message: "unmatched \")\"")
        case .or, .and:
            throw QueryError(column: token.column, message: "unexpected operator")
        }
    }
}
