import Testing
@testable import IMAPServer

/// Framing: incremental input, literals of each kind, limits, and recovery after bad input.
@Suite struct IMAPCommandParserTests {
    @Test func commandsArriveByteByByte() {
        var parser = IMAPCommandParser()
        var seen: [IMAPCommandParser.Event] = []
        for byte in bytes("a1 NOOP\r\na2 LOGIN {5}\r\nalice secret\r\n") {
            parser.append([byte])
            while let event = parser.next() { seen.append(event) }
        }
        #expect(seen == [
            .command(IMAPTaggedCommand(tag: "a1", command: .noop)),
            .continuationRequest,
            .command(IMAPTaggedCommand(tag: "a2", command: .login(user: bytes("alice"), password: bytes("secret")))),
        ])
    }

    @Test func synchronizingLiteralWaitsForContinuation() {
        var parser = IMAPCommandParser()
        parser.append(bytes("a LOGIN {5}\r\n"))
        #expect(parser.next() == .continuationRequest)
        #expect(parser.next() == nil)
        parser.append(bytes("ali"))
        #expect(parser.next() == nil)
        parser.append(bytes("ce \"x\"\r\n"))
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "a", command: .login(user: bytes("alice"), password: bytes("x")))))
        #expect(parser.next() == nil)
    }

    @Test func literalsMayHoldCRLFAndEightBit() {
        let all = events("a SEARCH CHARSET UTF-8 SUBJECT {6+}\r\nb\u{00E4}r\r\n\r\n")
        #expect(all == [.command(IMAPTaggedCommand(
            tag: "a", command: .search(IMAPSearchCommand(charset: "UTF-8", key: .subject(bytes("b\u{00E4}r\r\n"))), uid: false)))])
        let minus = events("b LOGIN {0-}\r\n {0}\r\n\r\n")
        #expect(minus == [.continuationRequest, .command(IMAPTaggedCommand(tag: "b", command: .login(user: [], password: [])))])
    }

    @Test func bareLineFeedEndsALineButBareCRDoesNot() {
        #expect(events("a NOOP\nb NOOP\r\n") == [
            .command(IMAPTaggedCommand(tag: "a", command: .noop)), .command(IMAPTaggedCommand(tag: "b", command: .noop)),
        ])
        #expect(events("a NOOP\rb NOOP\r\n").count == 1)
        if case .error(let error) = events("a NOOP\rb NOOP\r\n")[0] { #expect(error.tag == "a") } else { Issue.record("expected an error") }
    }

    @Test func twoGigabyteSynchronizingLiteralIsRefusedWithoutContinuation() {
        var parser = IMAPCommandParser()
        parser.append(bytes("a APPEND INBOX {2147483648}\r\n"))
        #expect(parser.next() == .error(IMAPCommandError(tag: "a", status: .no, code: .tooBig, text: "literal too large")))
        // The client abandoned the command; the session goes on.
        parser.append(bytes("b NOOP\r\n"))
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "b", command: .noop)))
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func oversizedNonSynchronizingLiteralClosesTheConnection() {
        let all = events("a APPEND INBOX {99999999999999999999999+}\r\n")
        #expect(all == [.error(IMAPCommandError(tag: "a", code: .tooBig, text: "literal too large", closesConnection: true))])
        var limits = IMAPLimits.literalMinus
        limits.messageSize = 1 << 20
        let minus = events("a APPEND INBOX {5000-}\r\n", limits: limits)
        #expect(minus == [.error(IMAPCommandError(
            tag: "a", code: .tooBig, text: "non-synchronizing literals are limited to 4096 octets (LITERAL-)",
            closesConnection: true))])
        #expect(events("a APPEND INBOX {4096-}\r\n", limits: limits) == [])  // accepted, waiting for the octets
    }

    @Test func stringLiteralsHaveTheirOwnLimit() {
        var limits = IMAPLimits()
        limits.stringLiteralSize = 10
        #expect(events("a LOGIN {11}\r\n", limits: limits) == [
            .error(IMAPCommandError(tag: "a", status: .no, code: .tooBig, text: "literal too large")),
        ])
        #expect(events("a APPEND INBOX {11}\r\n", limits: limits) == [.continuationRequest])
    }

    @Test func unknownCommandGetsNoContinuation() {
        var parser = IMAPCommandParser()
        parser.append(bytes("a BOGUS {5}\r\n"))
        #expect(parser.next() == .error(IMAPCommandError(tag: "a", text: "unknown command")))
        parser.append(bytes("b NOOP\r\n"))
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "b", command: .noop)))
    }

    @Test func refusedCommandSkipsItsNonSynchronizingLiterals() {
        // The literal holds what looks like a command; it must not be run.
        let all = events("a BOGUS {10+}\r\nx LOGOUT\r\n yy {3+}\r\nz\r\n rest\r\nb NOOP\r\n")
        #expect(all == [
            .error(IMAPCommandError(tag: "a", text: "unknown command")),
            .command(IMAPTaggedCommand(tag: "b", command: .noop)),
        ])
    }

    @Test func overlongLineIsRefusedAndSkipped() {
        var limits = IMAPLimits()
        limits.lineLength = 100
        var parser = IMAPCommandParser(limits: limits)
        parser.append(bytes("t1 SEARCH SUBJECT \"" + String(repeating: "x", count: 300)))
        #expect(parser.next() == nil)
        #expect(parser.bufferedByteCount == 0)  // nothing of the long line is kept
        parser.append(bytes(String(repeating: "y", count: 300) + "\"\r\nt2 NOOP\r\n"))
        #expect(parser.next() == .error(IMAPCommandError(tag: "t1", text: "line too long (limit 100 octets)")))
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "t2", command: .noop)))
    }

    @Test func overlongLineEndingInALiteralSkipsTheLiteral() {
        var limits = IMAPLimits()
        limits.lineLength = 50
        let line = "t1 SEARCH OR " + String(repeating: "SEEN ", count: 20) + "SUBJECT {4+}\r\nLOGO\r\nt2 NOOP\r\n"
        #expect(events(line, limits: limits) == [
            .error(IMAPCommandError(tag: "t1", text: "line too long (limit 50 octets)")),
            .command(IMAPTaggedCommand(tag: "t2", command: .noop)),
        ])
    }

    @Test func sessionGoesOnAfterEachBadCommand() {
        let all = events("a FETCH 1:0 FLAGS\r\nb SEARCH (SEEN\r\n\r\nc FOO\r\nd NOOP\r\n")
        #expect(all.count == 5)
        #expect(all[4] == .command(IMAPTaggedCommand(tag: "d", command: .noop)))
        #expect(all[2] == .error(IMAPCommandError(tag: nil, text: "empty command line")))
    }

    @Test func idleEndsWithDone() {
        var parser = IMAPCommandParser()
        parser.append(bytes("a IDLE\r\n"))
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "a", command: .idle)))
        parser.expect(.idleDone)
        parser.append(bytes("NOOP\r\ndone\r\nb NOOP\r\n"))
        #expect(parser.next() == .error(IMAPCommandError(tag: nil, text: "expected DONE to end IDLE")))
        #expect(parser.expectation == .idleDone)
        #expect(parser.next() == .idleDone)
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "b", command: .noop)))
    }

    @Test func authenticationResponseIsARawLine() {
        var parser = IMAPCommandParser()
        parser.append(bytes("a AUTHENTICATE PLAIN\r\n"))
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "a", command: .authenticate(mechanism: "PLAIN", initialResponse: nil))))
        parser.expect(.authenticationResponse)
        parser.append(bytes("AGFsaWNlAHNlY3JldA==\r\n*\r\n"))
        #expect(parser.next() == .continuationLine(bytes("AGFsaWNlAHNlY3JldA==")))
        #expect(parser.expectation == .command)
        #expect(parser.next() == .error(IMAPCommandError(tag: nil, text: "invalid tag")))
    }

    @Test func literal8OnlyForAppend() {
        #expect(events("a LOGIN ~{3}\r\n") == [.error(IMAPCommandError(tag: "a", text: "literal8 is only allowed for message data"))])
    }

    @Test func literalAnnouncementForms() {
        #expect(LiteralAnnouncement(line: bytes("a LOGIN {12}")) == LiteralAnnouncement(count: 12, synchronizing: true, binary: false))
        #expect(LiteralAnnouncement(line: bytes("a X ~{7+}")) == LiteralAnnouncement(count: 7, synchronizing: false, binary: true))
        #expect(LiteralAnnouncement(line: bytes("a X {7-}"))?.synchronizing == false)
        #expect(LiteralAnnouncement(line: bytes("a X {}")) == nil)
        #expect(LiteralAnnouncement(line: bytes("a X {1a}")) == nil)
        #expect(LiteralAnnouncement(line: bytes("a X \"{1}")) != nil)  // framing cannot see quotes; the grammar refuses it
    }
}
