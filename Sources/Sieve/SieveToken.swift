/// One lexical token of a Sieve script (RFC 5228 §8.1) with the place it starts.
struct SieveToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// `identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")`, as written (case kept).
        case identifier(String)
        /// `tag = ":" identifier`, the identifier as written, without the colon.
        case tag(String)
        /// `number = 1*DIGIT [ QUANTIFIER ]`, the quantifier applied.
        case number(UInt64)
        /// A quoted string or a `text:` multi-line string, already unescaped / dot-unstuffed.
        case string(String)
        case leftBracket, rightBracket, leftParenthesis, rightParenthesis, leftBrace, rightBrace
        case comma, semicolon
        /// The end of the script.
        case end
    }

    var kind: Kind
    var location: SourceLocation

    /// How an error message names the token: `"}"`, `"keep"`, `":is"`, `a string`, `end of script`.
    var description: String {
        switch kind {
        case .identifier(let name): "\"\(name)\""
        case .tag(let name): "\":\(name)\""
        case .number: "a number"
        case .string: "a string"
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .leftParenthesis: "\"(\""
        case .rightParenthesis: "\")\""
        case .leftBrace: "\"{\""
        case .rightBrace: "\"}\""
        case .comma: "\",\""
        case .semicolon: "\";\""
        case .end: "end of script"
        }
    }
}
