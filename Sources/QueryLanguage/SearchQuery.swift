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
/// term    = [ field ":" ] ( word / phrase ) [ "*" ]
/// ```
public struct SearchQuery: Hashable, Sendable {
    public let root: QueryNode
    /// The text the query was parsed from.
    public let text: String

    public init(parsing text: String) throws(QueryError) {
        var parser = QueryParser(tokens: try QueryLexer.tokens(text))
        root = try parser.parseQuery()
        self.text = text
    }

    public init(root: QueryNode, text: String = "") {
        self.root = root
        self.text = text
    }
}

/// Recursive descent over `QueryToken`s; see `SearchQuery` for the grammar.
struct QueryParser {
    let tokens: [QueryToken]
    var position = 0

    init(tokens: [QueryToken]) {
        self.tokens = tokens
    }

    private var current: QueryToken? { position < tokens.count ? tokens[position] : nil }

    mutating func parseQuery() throws(QueryError) -> QueryNode {
        guard !tokens.isEmpty else { throw QueryError(column: 1, message: "empty query") }
        return try parseAndList(nested: false)
    }

    /// Parses terms up to the end, or up to (not including) a ")" when `nested`.
    private mutating func parseAndList(nested: Bool) throws(QueryError) -> QueryNode {
        var children: [QueryNode] = []
        while let token = current {
            switch token.kind {
            case .close:
                guard nested else { throw QueryError(column: token.column, message: "unmatched \")\"") }
                guard !children.isEmpty else { throw QueryError(column: token.column, message: "empty parentheses") }
                return children.count == 1 ? children[0] : .and(children)
            case .and:
                guard !children.isEmpty else {
                    throw QueryError(column: token.column, message: "AND needs a term before it")
                }
                position += 1
                guard let next = current, Self.startsTerm(next) else {
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
        while let token = current, token.kind == .or {
            position += 1
            guard let next = current, Self.startsTerm(next) else {
                throw QueryError(column: token.column, message: "OR needs a term after it")
            }
            children.append(try parseUnary())
        }
        return children.count == 1 ? children[0] : .or(children)
    }

    private mutating func parseUnary() throws(QueryError) -> QueryNode {
        guard let token = current else {
            throw QueryError(column: (tokens.last?.column ?? 0) + 1, message: "unexpected end of query")
        }
        switch token.kind {
        case .not:
            position += 1
            guard let next = current, Self.startsTerm(next) else {
                throw QueryError(column: token.column, message: "nothing to exclude after \"-\"")
            }
            let child = try parseUnary()
            if case .not(let inner) = child { return inner }
            return .not(child)
        case .open:
            position += 1
            guard current != nil else { throw QueryError(column: token.column, message: "unclosed parenthesis") }
            let inner = try parseAndList(nested: true)
            guard let close = current, close.kind == .close else {
                throw QueryError(column: token.column, message: "unclosed parenthesis")
            }
            position += 1
            return inner
        case .term(let word):
            position += 1
            return .term(try QueryTerm(word))
        case .close:
            throw QueryError(column: token.column, message: "unmatched \")\"")
        case .or, .and:
            throw QueryError(column: token.column, message: "unexpected operator")
        }
    }
}
