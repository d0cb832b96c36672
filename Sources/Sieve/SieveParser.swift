/// Builds the syntax tree of a script (RFC 5228 §8.2) from the lexer's tokens.
///
/// The grammar is generic (`command = identifier arguments ( ";" / block )`), but for the
/// commands and tests in `SieveGrammar` the parser also knows whether a test, a test list or a
/// block follows, so that a missing ";" is reported where it is missing rather than as a
/// strange argument later, and `allof true` / `if (true)` are caught. Unknown names are parsed
/// by the generic grammar and left for the validator to report.
enum SieveParser {
    /// Blocks, tests inside tests and test lists together may nest this deep; a hostile script
    /// cannot exhaust the stack.
    static let maximumNestingDepth = 64

    static func parse(_ source: String) throws(SieveError) -> [SieveCommand] {
        try parse(bytes: Array(source.utf8))
    }

    /// Parses a script given as bytes; invalid UTF-8 inside a string or comment is an error
    /// with its place (outside them only ASCII is allowed anyway).
    static func parse(bytes: [UInt8]) throws(SieveError) -> [SieveCommand] {
        var parser = Parser(lexer: SieveLexer(bytes: bytes))
        return try parser.script()
    }
}

private struct Parser {
    var lexer: SieveLexer
    var lookahead: SieveToken?
    var depth = 0

    init(lexer: SieveLexer) {
        self.lexer = lexer
    }

    mutating func peek() throws(SieveError) -> SieveToken {
        if let lookahead { return lookahead }
        let token = try lexer.next()
        lookahead = token
        return token
    }

    mutating func take() throws(SieveError) -> SieveToken {
        let token = try peek()
        lookahead = nil
        return token
    }

    // start = commands
    mutating func script() throws(SieveError) -> [SieveCommand] {
        var commands: [SieveCommand] = []
        while true {
            let token = try peek()
            switch token.kind {
            case .end: return commands
            case .rightBrace: throw SieveError("unexpected \"}\"", at: token.location)
            default: commands.append(try command())
            }
        }
    }

    // block = "{" commands "}"
    mutating func block(of owner: String) throws(SieveError) -> [SieveCommand] {
        let open = try take()
        try enter(at: open.location)
        defer { depth -= 1 }
        var commands: [SieveCommand] = []
        while true {
            let token = try peek()
            switch token.kind {
            case .rightBrace:
                _ = try take()
                return commands
            case .end:
                throw SieveError("missing closing \"}\" for the block of \"\(owner)\" opened at \(open.location)", at: token.location)
            default:
                commands.append(try command())
            }
        }
    }

    // command = identifier arguments (";" / block)
    mutating func command() throws(SieveError) -> SieveCommand {
        let start = try take()
        guard case .identifier(let written) = start.kind else {
            throw SieveError("expected a command, found \(start.description)", at: start.location)
        }
        let name = written.lowercased()
        let entry = SieveGrammar.commands[name]
        let raw = try arguments()
        let tests = try testsAfterArguments(of: name, shape: entry?.tests)
        let end = try peek()
        switch end.kind {
        case .semicolon where entry?.takesBlock != true:
            _ = try take()
            return SieveCommand(name: name, raw: raw, tests: tests, location: start.location)
        case .leftBrace where entry == nil || entry?.takesBlock == true:
            let commands = try block(of: name)
            return SieveCommand(name: name, raw: raw, tests: tests, block: commands, location: start.location)
        default:
            if entry?.takesBlock == true {
                throw SieveError("expected \"{\" to start the block of \"\(name)\", found \(end.description)", at: end.location)
            }
            throw SieveError("expected \";\" after command \"\(name)\"", at: end.location)
        }
    }

    // test = identifier arguments
    mutating func test() throws(SieveError) -> SieveTest {
        let start = try take()
        guard case .identifier(let written) = start.kind else {
            throw SieveError("expected a test, found \(start.description)", at: start.location)
        }
        let name = written.lowercased()
        let raw = try arguments()
        let tests = try testsAfterArguments(of: name, shape: SieveGrammar.tests[name]?.tests)
        return SieveTest(name: name, raw: raw, tests: tests, location: start.location)
    }

    // arguments = *argument [ test / test-list ]   — the test part is `testsAfterArguments`
    // argument = string-list / number / tag
    mutating func arguments() throws(SieveError) -> [SieveArgument] {
        var raw: [SieveArgument] = []
        while true {
            let token = try peek()
            switch token.kind {
            case .tag(let name):
                _ = try take()
                raw.append(.tag(name.lowercased(), token.location))
            case .number(let value):
                _ = try take()
                raw.append(.number(value, token.location))
            case .string(let text):
                _ = try take()
                raw.append(.strings([text], isList: false, token.location))
            case .leftBracket:
                raw.append(try stringList())
            default:
                return raw
            }
        }
    }

    // string-list = "[" string *("," string) "]" / string
    mutating func stringList() throws(SieveError) -> SieveArgument {
        let open = try take()
        var strings: [String] = []
        while true {
            let token = try take()
            guard case .string(let text) = token.kind else {
                throw SieveError("expected a string in the string list, found \(token.description)", at: token.location)
            }
            strings.append(text)
            let separator = try take()
            switch separator.kind {
            case .comma: continue
            case .rightBracket: return .strings(strings, isList: true, open.location)
            case .string: throw SieveError("expected \",\" between the strings of a list", at: separator.location)
            default: throw SieveError("missing closing \"]\" for the list opened at \(open.location)", at: separator.location)
            }
        }
    }

    /// The test or test list that ends `arguments`. `shape` is nil for names the grammar does
    /// not know: then whatever the generic grammar allows is taken.
    mutating func testsAfterArguments(of name: String, shape: SieveGrammar.TestShape?) throws(SieveError) -> [SieveTest] {
        let token = try peek()
        switch (token.kind, shape) {
        case (.identifier, .noTests?), (.leftParenthesis, .noTests?):
            return []  // the caller reports what it finds next
        case (.identifier, .one?), (.identifier, nil):
            try enter(at: token.location)
            defer { depth -= 1 }
            return [try test()]
        case (.leftParenthesis, .one?):
            throw SieveError("\"\(name)\" takes one test, not a test list", at: token.location)
        case (.leftParenthesis, _):
            return try testList()
        case (_, .one?):
            throw SieveError("\"\(name)\" needs a test, found \(token.description)", at: token.location)
        case (.identifier, .list?):
            throw SieveError("\"\(name)\" needs a test list in parentheses", at: token.location)
        case (_, .list?):
            throw SieveError("\"\(name)\" needs a test list, found \(token.description)", at: token.location)
        default:
            return []
        }
    }

    // test-list = "(" test *("," test) ")"
    mutating func testList() throws(SieveError) -> [SieveTest] {
        let open = try take()
        try enter(at: open.location)
        defer { depth -= 1 }
        var tests: [SieveTest] = []
        while true {
            tests.append(try test())
            let separator = try take()
            switch separator.kind {
            case .comma: continue
            case .rightParenthesis: return tests
            case .identifier: throw SieveError("expected \",\" between the tests of a list", at: separator.location)
            default: throw SieveError("missing closing \")\" for the test list opened at \(open.location)", at: separator.location)
            }
        }
    }

    mutating func enter(at location: SourceLocation) throws(SieveError) {
        depth += 1
        if depth > SieveParser.maximumNestingDepth {
            throw SieveError("nesting too deep (more than \(SieveParser.maximumNestingDepth) levels)", at: location)
        }
    }
}
