@testable import Sieve
import Testing

/// The grammar of RFC 5228 §2 and §8: strings, numbers, lists, comments, places.
@Suite struct ParserTests {
    private func parse(_ source: String) throws(SieveError) -> [SieveCommand] {
        try SieveParser.parse(source)
    }

    /// The one string argument of `x <string>;` — `x` is not a known command, so the parser
    /// takes whatever the generic grammar allows.
    private func string(_ literal: String) throws -> String {
        let commands = try parse("x \(literal);")
        guard commands.count == 1, case .strings(let strings, false, _) = commands[0].raw.first, strings.count == 1 else {
            Issue.record("not one string: \(commands)")
            return ""
        }
        return strings[0]
    }

    /// RFC 5228 §2.4.2: quoted strings and `text:` multi-line strings.
    @Test(arguments: [
        ("\"plain\"", "plain"),
        ("\"\"", ""),
        ("\"a\\\"b\"", "a\"b"),                                  // \" is a quote
        ("\"a\\\\b\"", "a\\b"),                                  // \\ is a backslash
        ("\"\\a\\q\\1\"", "aq1"),                                // any other backslash is dropped
        ("\"one\ntwo\"", "one\ntwo"),                            // strings may span lines
        ("\"one\r\ntwo\"", "one\r\ntwo"),                        // line ends are kept as written
        ("\"caf\u{E9} \u{1F600}\"", "caf\u{E9} \u{1F600}"),
        ("\"# not a comment /* nor this */\"", "# not a comment /* nor this */"),
        ("text:\nhello\n.\n", "hello\n"),
        ("text:\r\nhello\r\nworld\r\n.\r\n", "hello\r\nworld\r\n"),
        ("TEXT:\n.\n", ""),                                      // "text:" is case-insensitive
        ("text: \t # a comment\nline\n.\n", "line\n"),          // blanks and a hash comment after "text:"
        ("text:\n..\n...x\n.foo\n\n.\n", ".\n..x\n.foo\n\n"),    // ".." loses one dot; ".foo" stays
        ("text:\n  \"quoted\" \\ # not special\n.\n", "  \"quoted\" \\ # not special\n"),
    ])
    func strings(literal: String, expected: String) throws {
        #expect(try string(literal) == expected)
    }

    /// RFC 5228 §2.4.1: numbers with the K, M, G quantifiers (powers of 1024).
    @Test(arguments: [
        ("0", 0), ("42", 42), ("007", 7), ("1K", 1024), ("2k", 2048), ("3M", 3 << 20), ("4G", 4 << 30),
        ("18446744073709551615", UInt64.max), ("17179869183G", 17_179_869_183 << 30),
    ] as [(String, UInt64)])
    func numbers(literal: String, expected: UInt64) throws {
        let commands = try parse("x \(literal);")
        #expect(commands.first?.raw == [.number(expected, SourceLocation(line: 1, column: 3))])
    }

    @Test(arguments: ["18446744073709551616", "17179869184G", "99999999999999999999999K"])
    func numbersThatOverflowAreErrors(literal: String) {
        #expect(throws: SieveError("number \(literal) is too large", at: SourceLocation(line: 1, column: 3))) {
            try parse("x \(literal);")
        }
    }

    /// RFC 5228 §8.1: comments and white space anywhere between tokens; tokens keep their place.
    @Test func commentsAndLocations() throws {
        let source = """
            # hash comment with é
            /* bracket
               comment ** / */ X  "é" /**/ :Tag\t5 ["a",
            "b" ]   ;# trailing
            """
        let commands = try parse(source)
        #expect(commands.count == 1)
        let command = try #require(commands.first)
        #expect(command.name == "x")
        #expect(command.location == SourceLocation(line: 3, column: 20))
        #expect(command.raw == [
            .strings(["é"], isList: false, SourceLocation(line: 3, column: 23)),
            .tag("tag", SourceLocation(line: 3, column: 32)),
            .number(5, SourceLocation(line: 3, column: 37)),
            .strings(["a", "b"], isList: true, SourceLocation(line: 3, column: 39)),
        ])
        #expect(try parse("").isEmpty)
        #expect(try parse("# only a comment").isEmpty)
        #expect(try parse("/* only a comment */\r\n\t ").isEmpty)
        #expect(try parse("keep;/*no space*/stop;").map(\.name) == ["keep", "stop"])
    }

    /// RFC 5228 §8.2: blocks, test lists and nested tests give the tree; names lower-cased.
    @Test func tree() throws {
        let commands = try parse("""
            IF AnyOf (NOT Header :IS ["a", "b"] "c", allof (true, false)) {
              x;
              if exists "d" { y; }
            } ElsIf size :over 1K { } else { stop; }
            """)
        #expect(commands.map(\.name) == ["if", "elsif", "else"])
        let ifCommand = commands[0]
        #expect(ifCommand.tests.count == 1)
        let anyof = ifCommand.tests[0]
        #expect(anyof.name == "anyof")
        #expect(anyof.tests.map(\.name) == ["not", "allof"])
        let header = anyof.tests[0].tests[0]
        #expect(header.name == "header")
        #expect(header.raw == [
            .tag("is", SourceLocation(line: 1, column: 22)),
            .strings(["a", "b"], isList: true, SourceLocation(line: 1, column: 26)),
            .strings(["c"], isList: false, SourceLocation(line: 1, column: 37)),
        ])
        #expect(anyof.tests[1].tests.map(\.name) == ["true", "false"])
        #expect(ifCommand.block?.map(\.name) == ["x", "if"])
        #expect(ifCommand.block?[1].block?.map(\.name) == ["y"])
        #expect(commands[1].block?.isEmpty == true)
        #expect(commands[1].tests.first?.raw == [.tag("over", SourceLocation(line: 4, column: 14)),
                                                 .number(1024, SourceLocation(line: 4, column: 20))])
        #expect(commands[2].tests.isEmpty)
        #expect(commands[2].block?.map(\.name) == ["stop"])
        #expect(commands[0].block != nil && commands[0].raw.isEmpty)
    }

    /// Commands the grammar does not know are parsed by RFC 5228 §8.2 alone, so that the
    /// validator can name them ("unknown command") instead of a confusing syntax error.
    @Test func unknownCommandsFollowTheGenericGrammar() throws {
        let commands = try parse("vacation :days 3 \"away\"; frob \"a\" header \"b\" \"c\" { } frob2 (true, false);")
        #expect(commands.map(\.name) == ["vacation", "frob", "frob2"])
        #expect(commands[1].tests.map(\.name) == ["header"])
        #expect(commands[1].block == [])
        #expect(commands[2].tests.map(\.name) == ["true", "false"])
    }

    @Test func endOfScriptIsAfterTheLastCharacterOfTheLastLine() {
        let cases = [("keep", "1:5"), ("keep\n", "1:5"), ("keep\r\n", "1:5"), ("keep\n\n", "2:1"), ("keep # c\n", "1:9"),
                     ("keep text:\nlast\n.", "3:2")]  // the "." line ends the string even at the end of the script
        for (source, place) in cases {
            do {
                _ = try parse(source)
                Issue.record("\(source.debugDescription) parsed")
            } catch {
                #expect(error.description == "\(place): expected \";\" after command \"keep\"", "\(source.debugDescription)")
            }
        }
    }
}
