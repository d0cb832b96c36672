import Foundation
import Testing
import TestSupport
@testable import IMAPServer

/// APPEND literals above `IMAPLimits.inMemoryLiteralSize` leave the parser as they arrive and are
/// spooled to files by the connection; the command names them and never holds their octets.
@Suite struct IMAPStreamedLiteralTests {
    private static var smallLimits: IMAPLimits {
        var limits = IMAPLimits()
        limits.inMemoryLiteralSize = 8
        return limits
    }

    @Test func largeAppendLiteralLeavesInPiecesAndTheCommandNamesIt() throws {
        let inbox = try MailboxName("INBOX")
        var parser = IMAPCommandParser(limits: Self.smallLimits)
        parser.append(bytes("a APPEND INBOX (\\Seen) {20}\r\n"))
        #expect(parser.next() == .continuationRequest)
        #expect(parser.next() == nil)
        parser.append(bytes("0123456789"))
        #expect(parser.next() == .literalOctets(bytes("0123456789"), isLast: false))
        #expect(parser.next() == nil)
        parser.append(bytes("abcdefghij\r\n"))
        #expect(parser.next() == .literalOctets(bytes("abcdefghij"), isLast: true))
        #expect(parser.next() == .command(IMAPTaggedCommand(tag: "a", command: .append(
            inbox, [IMAPAppendMessage(flags: [.seen], octets: .streamed(index: 0, count: 20))]))))
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func multiAppendMixesStreamedAndInlineMessages() throws {
        let inbox = try MailboxName("INBOX")
        let all = events("a APPEND INBOX {10+}\r\n0123456789 {3+}\r\nabc ~{9+}\r\nxyz\0uvw!?\r\n", limits: Self.smallLimits)
        #expect(all == [
            .literalOctets(bytes("0123456789"), isLast: true),
            .literalOctets(Array("xyz\0uvw!?".utf8), isLast: true),
            .command(IMAPTaggedCommand(tag: "a", command: .append(inbox, [
                IMAPAppendMessage(octets: .streamed(index: 0, count: 10)),
                IMAPAppendMessage(data: bytes("abc")),
                IMAPAppendMessage(octets: .streamed(index: 1, count: 9), isBinary: true),
            ]))),
        ])
    }

    @Test func nulInAStreamedLiteralRefusesTheCommandAtItsEnd() {
        let all = events("a APPEND INBOX {10+}\r\n01234\06789\r\nb NOOP\r\n", limits: Self.smallLimits)
        #expect(all.count == 3)
        #expect(all[0] == .literalOctets(Array("01234\06789".utf8), isLast: true))
        guard case .error(let error) = all[1] else {
            Issue.record("expected the APPEND refused, got \(all[1])")
            return
        }
        #expect(error.tag == "a")
        #expect(error.text.contains("NUL"))
        #expect(all[2] == .command(IMAPTaggedCommand(tag: "b", command: .noop)))
    }

    @Test func otherCommandsNeverStream() {
        var limits = Self.smallLimits
        limits.stringLiteralSize = 100
        #expect(events("a LOGIN {12}\r\n", limits: limits) == [.continuationRequest])
        let all = events("a LOGIN {12+}\r\nalice-secret {1+}\r\nx\r\n", limits: limits)
        #expect(all == [.command(IMAPTaggedCommand(tag: "a", command: .login(user: bytes("alice-secret"), password: bytes("x"))))])
    }

    /// Over a socket: a 300 KB message goes through the spool, arrives byte for byte, and the
    /// spool is empty afterwards; a client that vanishes mid-literal leaves no file behind.
    @Test func appendOverASocketIsSpooledAndCleanedUp() async throws {
        try await withTemporaryDirectory { spool in
            var message = Array("Subject: big\r\n\r\n".utf8)
            var generator = SplitMix64(seed: 6)
            while message.count < 300_000 {
                message += Array("line \(generator.next()) of a large message\r\n".utf8)
            }
            try await withIMAPServer(configure: {
                $0.limits.inMemoryLiteralSize = 4096
                $0.spoolDirectory = spool.path
            }) { port, backend in
                try await IMAPTestClient.with(port) { client in
                    _ = try await client.line()
                    _ = try await client.command("a", "LOGIN alice secret")
                    try await client.send("b APPEND INBOX {\(message.count)}\r\n")
                    #expect(try await client.line() == "+ Ready for literal data\r\n")
                    try await client.send(bytes: Array(message[..<150_000]))
                    try await client.send(bytes: Array(message[150_000...]) + Array("\r\n".utf8))
                    #expect(try await client.response("b").hasPrefix("b OK [APPENDUID "))
                }
                let stored = try await backend.messages([1], in: try MailboxName("INBOX"), user: "alice")
                #expect(stored[1] == message)
                #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path) == [])

                try await IMAPTestClient.with(port) { client in
                    _ = try await client.line()
                    _ = try await client.command("a", "LOGIN alice secret")
                    try await client.send("b APPEND INBOX {\(message.count)+}\r\n")
                    // Gone in the middle of the literal.
                    try await client.send(bytes: Array(message[..<100_000]))
                }
            }
            // The server has shut down, so every session (and its spool) is gone.
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path) == [])
        }
    }
}
