import Foundation
import Sieve
import Testing

/// Broken scripts, each with the exact `line:column: message` compiling it must report
/// (RFC 5228 §2.10.6: errors are found before the script runs).
@Suite struct ValidatorErrorTests {
    struct BrokenScript: Sendable, CustomTestStringConvertible {
        var label: String
        var source: String
        var error: String

        init(_ label: String, _ source: String, _ error: String) {
            self.label = label
            self.source = source
            self.error = error
        }

        var testDescription: String { label }
    }

    static let brokenScripts: [BrokenScript] = [
        BrokenScript("unterminated string",
                     "keep;\nfileinto \"Inbox;\n",
                     "2:10: unterminated string"),
        BrokenScript("unterminated bracket comment",
                     "keep; /* never\nclosed\n",
                     "1:7: unterminated comment"),
        BrokenScript("unterminated text:",
                     "require \"reject\";\nreject text:\nGo away.\n",
                     "2:8: unterminated multi-line string (no line with only \".\")"),
        BrokenScript("text: with something after it",
                     "require \"reject\";\nreject text: \"x\"\n.\n;",
                     "2:14: expected end of line after \"text:\""),
        BrokenScript("missing semicolon",
                     "require \"fileinto\";\nfileinto \"a\"\nkeep;\n",
                     "3:1: expected \";\" after command \"fileinto\""),
        BrokenScript("missing semicolon at end of script",
                     "keep;\nstop\n",
                     "2:5: expected \";\" after command \"stop\""),
        BrokenScript("unknown command",
                     "require \"fileinto\";\nfileino \"Spam\";\n",
                     "2:1: unknown command \"fileino\""),
        BrokenScript("unknown test",
                     "if hedaer :is \"subject\" \"x\" {\n  discard;\n}\n",
                     "1:4: unknown test \"hedaer\""),
        BrokenScript("missing require",
                     "if true {\n  fileinto \"x\";\n}\n",
                     "2:3: fileinto needs require \"fileinto\""),
        BrokenScript("missing require for a test",
                     "if envelope \"from\" \"a@b.c\" { keep; }",
                     "1:4: envelope needs require \"envelope\""),
        BrokenScript("missing require for a tag",
                     "redirect :copy \"a@example.org\";",
                     "1:10: :copy needs require \"copy\""),
        BrokenScript("missing require for a match type",
                     "if header :regex \"subject\" \"a+\" { keep; }",
                     "1:11: :regex needs require \"regex\""),
        BrokenScript("require after a command",
                     "keep;\nrequire \"fileinto\";\n",
                     "2:1: \"require\" must come before any other command"),
        BrokenScript("require inside a block",
                     "if true {\n  require \"fileinto\";\n}\n",
                     "2:3: \"require\" must come before any other command"),
        BrokenScript("unknown extension",
                     "require [\"fileinto\", \"vacation-seconds-x\"];",
                     "1:9: unknown extension \"vacation-seconds-x\""),
        BrokenScript("elsif without if",
                     "keep;\nelsif true { stop; }\n",
                     "2:1: \"elsif\" must follow \"if\" or \"elsif\""),
        BrokenScript("else after a command",
                     "if true { keep; }\ndiscard;\nelse { stop; }\n",
                     "3:1: \"else\" must follow \"if\" or \"elsif\""),
        BrokenScript("bad number",
                     "if size :over 10MB { discard; }",
                     "1:15: invalid number \"10MB\""),
        BrokenScript("number too large",
                     "if size :over 20000000000G { discard; }",
                     "1:15: number 20000000000G is too large"),
        BrokenScript("unknown tag",
                     "if header :containz \"subject\" \"x\" { keep; }",
                     "1:11: unknown tag \":containz\" for \"header\""),
        BrokenScript("duplicate tag",
                     "if header :comparator \"i;octet\" :comparator \"i;octet\" \"a\" \"b\" { keep; }",
                     "1:33: tag \":comparator\" given twice"),
        BrokenScript("two match types",
                     "if header :is :contains \"subject\" \"x\" { keep; }",
                     "1:15: only one match type is allowed, found \":is\" and \":contains\""),
        BrokenScript("two address parts",
                     "if address :domain :localpart \"from\" \"x\" { keep; }",
                     "1:20: only one address part is allowed, found \":domain\" and \":localpart\""),
        BrokenScript("unknown comparator",
                     "if header :comparator \"i;unicode-casemap\" \"a\" \"b\" { keep; }",
                     "1:23: unknown comparator \"i;unicode-casemap\""),
        BrokenScript("ascii-numeric needs require",
                     "if header :comparator \"i;ascii-numeric\" \"a\" \"1\" { keep; }",
                     "1:23: comparator \"i;ascii-numeric\" needs require \"comparator-i;ascii-numeric\""),
        BrokenScript("ascii-numeric has no substring match",
                     "require \"comparator-i;ascii-numeric\";\nif header :matches :comparator \"i;ascii-numeric\" \"a\" \"1*\" { keep; }",
                     "2:11: comparator \"i;ascii-numeric\" cannot be used with \":matches\""),
        BrokenScript("size without :over or :under",
                     "if size 100K { discard; }",
                     "1:4: \"size\" needs \":over\" or \":under\""),
        BrokenScript("size with both",
                     "if size :over 1 :under 2 { discard; }",
                     "1:17: only one size limit is allowed, found \":over\" and \":under\""),
        BrokenScript("tag without its value",
                     "if size :over { discard; }",
                     "1:9: \":over\" needs a number"),
        BrokenScript("too few arguments",
                     "if header \"subject\" { keep; }",
                     "1:4: wrong number of arguments for \"header\": expected 2, found 1"),
        BrokenScript("too many arguments",
                     "if exists \"a\" \"b\" { keep; }",
                     "1:15: wrong number of arguments for \"exists\": expected 1, found 2"),
        BrokenScript("command arguments",
                     "keep \"INBOX\";",
                     "1:6: wrong number of arguments for \"keep\": expected 0, found 1"),
        BrokenScript("string list where a string is needed",
                     "require \"fileinto\";\nfileinto [\"a\", \"b\"];",
                     "2:10: argument 1 of \"fileinto\" must be a string"),
        BrokenScript("number where a string is needed",
                     "redirect 42;",
                     "1:10: argument 1 of \"redirect\" must be a string"),
        BrokenScript("tag after positional arguments",
                     "if header \"subject\" :is \"x\" { keep; }",
                     "1:21: tag \":is\" must come before the positional arguments"),
        BrokenScript("bad regex",
                     "require \"regex\";\nif header :regex \"subject\" [\"ok\", \"(unclosed\"] { keep; }",
                     "2:28: invalid regular expression \"(unclosed\": Unmatched ( or \\("),
        BrokenScript("bad relational operator",
                     "require \"relational\";\nif header :value \"gte\" \"x-priority\" \"3\" { keep; }",
                     "2:18: invalid relational operator \"gte\" (expected gt, ge, lt, le, eq or ne)"),
        BrokenScript("relational needs require",
                     "if header :count \"gt\" \"to\" \"3\" { keep; }",
                     "1:11: :count needs require \"relational\""),
        BrokenScript("bad date part",
                     "require \"date\";\nif currentdate :is \"fortnight\" \"1\" { keep; }",
                     "2:20: unknown date part \"fortnight\""),
        BrokenScript("bad time zone",
                     "require \"date\";\nif date :zone \"CET\" \"date\" \"hour\" \"09\" { keep; }",
                     "2:15: invalid time zone \"CET\" (expected +hhmm or -hhmm)"),
        BrokenScript("zone and originalzone",
                     "require \"date\";\nif date :zone \"+0100\" :originalzone \"date\" \"hour\" \"09\" { keep; }",
                     "2:23: only one time zone is allowed, found \":zone\" and \":originalzone\""),
        BrokenScript("set with a bad variable name",
                     "require \"variables\";\nset \"1st\" \"x\";",
                     "2:5: invalid variable name \"1st\""),
        BrokenScript("set with conflicting modifiers",
                     "require \"variables\";\nset :upper :lower \"a\" \"b\";",
                     "2:12: only one case modifier is allowed, found \":upper\" and \":lower\""),
        BrokenScript("setflag variable without variables",
                     "require \"imap4flags\";\nsetflag \"flags\" \"\\\\Seen\";",
                     "2:9: setflag with a variable name needs require \"variables\""),
        BrokenScript("subaddress needs require",
                     "require \"envelope\";\nif envelope :detail \"to\" \"lists\" { keep; }",
                     "2:13: :detail needs require \"subaddress\""),
        BrokenScript("unknown envelope part",
                     "require \"envelope\";\nif envelope \"sender\" \"a@b.c\" { keep; }",
                     "2:13: unknown envelope part \"sender\""),
        BrokenScript("address test on a non-address header",
                     "if address :is \"subject\" \"x\" { keep; }",
                     "1:16: \"subject\" is not an address header"),
        BrokenScript("bad redirect address",
                     "redirect \"postmaster\";",
                     "1:10: invalid redirect address \"postmaster\""),
        BrokenScript("test where a command is expected",
                     "true;",
                     "1:1: \"true\" is a test, not a command"),
        BrokenScript("command where a test is expected",
                     "if discard { stop; }",
                     "1:4: \"discard\" is a command, not a test"),
        BrokenScript("string where a command is expected",
                     "\"keep\";",
                     "1:1: expected a command, found a string"),
        BrokenScript("if without a test",
                     "if { keep; }",
                     "1:4: \"if\" needs a test, found \"{\""),
        BrokenScript("if without a block",
                     "if true;",
                     "1:8: expected \"{\" to start the block of \"if\", found \";\""),
        BrokenScript("block after a plain command",
                     "keep { stop; }",
                     "1:6: expected \";\" after command \"keep\""),
        BrokenScript("if with a test list",
                     "if (true, false) { keep; }",
                     "1:4: \"if\" takes one test, not a test list"),
        BrokenScript("allof without parentheses",
                     "if allof true { keep; }",
                     "1:10: \"allof\" needs a test list in parentheses"),
        BrokenScript("stray closing brace",
                     "if true { keep; } }",
                     "1:19: unexpected \"}\""),
        BrokenScript("missing closing brace",
                     "if true {\n  keep;\n",
                     "2:8: missing closing \"}\" for the block of \"if\" opened at 1:9"),
        BrokenScript("missing closing bracket",
                     "require [\"fileinto\", \"reject\";",
                     "1:30: missing closing \"]\" for the list opened at 1:9"),
        BrokenScript("empty string list",
                     "if exists [] { keep; }",
                     "1:12: expected a string in the string list, found \"]\""),
        BrokenScript("missing comma in a test list",
                     "if anyof (true false) { keep; }",
                     "1:16: expected \",\" between the tests of a list"),
        BrokenScript("missing closing parenthesis",
                     "if anyof (true, false { keep; }",
                     "1:23: missing closing \")\" for the test list opened at 1:10"),
        BrokenScript("unexpected character",
                     "keep; @",
                     "1:7: unexpected character \"@\""),
        BrokenScript("NUL byte in a string",
                     "if header :is \"subject\" \"a\u{0}b\" { keep; }",
                     "1:27: NUL byte in string"),
        BrokenScript("bare CR",
                     "keep;\rstop;",
                     "1:6: bare carriage return in script"),
        BrokenScript("tag without a name",
                     "if header : \"a\" \"b\" { keep; }",
                     "1:11: expected a tag name after \":\""),
        BrokenScript("encoded character out of range",
                     "require \"encoded-character\";\nif header :is \"subject\" \"${unicode:110000}\" { keep; }",
                     "2:25: ${unicode:} names an invalid code point U+110000"),
        BrokenScript("relational match type needs require in body",
                     "require \"body\";\nif body :count \"gt\" \"1\" { keep; }",
                     "2:9: :count needs require \"relational\""),
    ]

    @Test(arguments: brokenScripts)
    func reportsTheFirstErrorWithItsPlace(_ script: BrokenScript) {
        #expect(compileError(script.source) == script.error)
    }

    @Test func theSameScriptsWithCRLFLineEndsReportTheSamePlaces() {
        for script in Self.brokenScripts where !script.source.contains("\r") {
            let crlf = script.source.replacingOccurrences(of: "\n", with: "\r\n")
            #expect(compileError(crlf) == script.error, "\(script.label)")
        }
    }

    /// Bytes that are not UTF-8 are refused where they are, columns counting characters.
    @Test func invalidUTF8IsReportedAtItsPlace() {
        let cases: [(bytes: [UInt8], error: String)] = [
            (Array("keep;\nif header :is \"subject\" \"café ".utf8) + [0xFF] + Array("\" { keep; }".utf8),
             "2:31: invalid UTF-8 in string"),
            ([UInt8(ascii: "#"), 0x20, 0xE9, 0x74, 0xE9, 0x0A] + Array("keep;".utf8), "1:3: invalid UTF-8 in comment"),
            (Array("redirect \"".utf8) + [0xC0, 0xAF] + Array("\";".utf8), "1:11: invalid UTF-8 in string"),  // overlong "/"
            (Array("redirect \"".utf8) + [0xED, 0xA0, 0x80] + Array("\";".utf8), "1:11: invalid UTF-8 in string"),  // surrogate
            (Array("keep; /* ".utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(" */".utf8), "1:10: invalid UTF-8 in comment"),  // > U+10FFFF
            (Array("keep; ".utf8) + [0xE2, 0x82], "1:7: invalid UTF-8 in script"),  // truncated
        ]
        for (bytes, error) in cases {
            #expect(compileError(bytes: bytes) == error)
        }
        #expect(compileError(bytes: Array("if header :is \"subject\" \"€ ünïcødé 😀\" { keep; }".utf8)) == nil)
    }

    /// RFC 5228 has no nesting limit; this implementation stops at 64 levels so that a hostile
    /// script cannot exhaust the stack, and says where.
    @Test func nestingIsLimited() {
        func nestedIfs(_ depth: Int) -> String {
            String(repeating: "if true {\n", count: depth) + "keep;\n" + String(repeating: "}\n", count: depth)
        }
        #expect(compileError(nestedIfs(64)) == nil)
        #expect(compileError(nestedIfs(65)) == "65:4: nesting too deep (more than 64 levels)")

        let nots = "if " + String(repeating: "not ", count: 63) + "true { keep; }"
        #expect(compileError(nots) == nil)
        let tooManyNots = "if " + String(repeating: "not ", count: 64) + "true { keep; }"
        #expect(compileError(tooManyNots) == "1:260: nesting too deep (more than 64 levels)")

        // Far beyond the limit: an error, not a crashed stack.
        let hostile = "if " + String(repeating: "anyof (", count: 100_000) + "true"
        #expect(compileError(hostile) == "1:451: nesting too deep (more than 64 levels)")
        let hostileBlocks = String(repeating: "if true {", count: 100_000)
        #expect(compileError(hostileBlocks) == "1:580: nesting too deep (more than 64 levels)")
    }

    @Test func errorsNameTheScriptPlaceInTheirDescription() throws {
        let error = try #require(throws: SieveError.self) { try SieveScript(source: "keep;\n  stop\n", name: "x.sieve") }
        #expect(error.location == SourceLocation(line: 2, column: 7))
        #expect(error.message == "expected \";\" after command \"stop\"")
    }

    private func compileError(_ source: String) -> String? {
        do {
            _ = try SieveScript(source: source)
            return nil
        } catch {
            return error.description
        }
    }

    private func compileError(bytes: [UInt8]) -> String? {
        do {
            _ = try SieveScript(bytes: bytes)
            return nil
        } catch {
            return error.description
        }
    }
}
