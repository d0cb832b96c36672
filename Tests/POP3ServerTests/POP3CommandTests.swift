import POP3Server
import Testing

/// The command grammar of RFC 1939 §3 and its extensions.
@Suite struct POP3CommandTests {
    private func parse(_ line: String) throws(POP3SyntaxError) -> POP3Command {
        try POP3Command(parsing: Array(line.utf8))
    }

    @Test func keywordsAreCaseInsensitive() throws {
        #expect(try parse("stat") == .stat)
        #expect(try parse("Capa") == .capabilities)
        #expect(try parse("stls") == .startTLS)
        #expect(try parse("QUIT") == .quit)
        #expect(try parse("noop") == .noop)
        #expect(try parse("rset") == .reset)
        #expect(try parse("apop alice 0123456789abcdef") == .apop)
    }

    @Test func arguments() throws {
        #expect(try parse("USER alice@localhost") == .user("alice@localhost"))
        #expect(try parse("PASS with spaces  inside") == .pass("with spaces  inside"))
        #expect(try parse("LIST") == .list(nil))
        #expect(try parse("LIST 12") == .list(12))
        #expect(try parse("UIDL") == .uniqueIDList(nil))
        #expect(try parse("uidl 3") == .uniqueIDList(3))
        #expect(try parse("RETR 1") == .retrieve(1))
        #expect(try parse("DELE 2") == .delete(2))
        #expect(try parse("TOP 1 0") == .top(1, lines: 0))
        #expect(try parse("AUTH plain") == .auth(mechanism: "PLAIN", initialResponse: nil))
        #expect(try parse("AUTH PLAIN AGFsaWNlAHg=") == .auth(mechanism: "PLAIN", initialResponse: Array("AGFsaWNlAHg=".utf8)))
        #expect(try parse("AUTH") == .auth(mechanism: nil, initialResponse: nil))
    }

    @Test func badLinesAreRefused() {
        #expect(throws: POP3SyntaxError.unknownCommand) { try parse("HELO x") }
        #expect(throws: POP3SyntaxError.unknownCommand) { try parse("") }
        #expect(throws: POP3SyntaxError.unknownCommand) { try parse("LISTING") }
        for line in ["RETR", "RETR x", "RETR -1", "RETR 1 2", "TOP 1", "TOP 1 x", "LIST a", "STAT 1", "QUIT now",
                     "USER", "USER a b", "PASS", "DELE 1234567890", "LIST  1"] {
            #expect(throws: POP3SyntaxError.self, "\(line)") { try parse(line) }
        }
    }
}
