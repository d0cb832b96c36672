@testable import Delivery
import Foundation
import NIOCore
import Testing

/// The client's pure parts: replies (RFC 5321 §4.2, RFC 2034), EHLO keywords, DATA encoding
/// (RFC 5321 §4.5.2), each recipient's answer, next-hop addresses.
@Suite struct SMTPClientGrammarTests {
    func assemble(_ lines: [String]) throws -> [SMTPClientReply] {
        var assembler = SMTPReplyAssembler()
        var replies: [SMTPClientReply] = []
        for line in lines {
            if let reply = try assembler.add(ByteBuffer(string: line)) { replies.append(reply) }
        }
        return replies
    }

    @Test func multiLineRepliesAndEnhancedCodes() throws {
        let replies = try assemble(["250-mx.test greets you", "250-PIPELINING", "250-SIZE 1000", "250 8BITMIME",
                                    "550 5.1.1 <x@y>: no such user", "451 try later", "354"])
        #expect(replies.count == 4)
        #expect(replies[0].code == 250 && replies[0].lines == ["mx.test greets you", "PIPELINING", "SIZE 1000", "8BITMIME"])
        #expect(replies[1].enhancedCode == "5.1.1" && replies[1].isPermanent && replies[1].status == "5.1.1")
        #expect(replies[2].enhancedCode == nil && replies[2].isTransient && replies[2].status == "4.0.0")
        #expect(replies[3].code == 354 && replies[3].lines == [""])
        // An enhanced code of the wrong class is not believed (RFC 3463 §3.1: class = reply class).
        #expect(try assemble(["550 2.0.0 odd"])[0].status == "5.0.0")
    }

    @Test func malformedRepliesAreRefused() {
        #expect(throws: SMTPReplyError.self) { try assemble(["25"]) }
        #expect(throws: SMTPReplyError.self) { try assemble(["abc hello"]) }
        #expect(throws: SMTPReplyError.self) { try assemble(["250-one", "251 two"]) }
        #expect(throws: SMTPReplyError.self) { try assemble(["250xtext"]) }
        #expect(throws: SMTPReplyError.self) { try assemble(["650 out of range"]) }
    }

    @Test func ehloKeywords() {
        let caps = SMTPServerCapabilities(ehloLines: ["mx.test", "PIPELINING", "size 2048", "8BITMIME", "SMTPUTF8",
                                                      "STARTTLS", "AUTH LOGIN plain", "ENHANCEDSTATUSCODES"])
        #expect(caps.pipelining && caps.startTLS && caps.eightBitMIME && caps.smtpUTF8 && caps.enhancedStatusCodes)
        #expect(caps.maximumSize == 2048 && caps.authMechanisms == ["LOGIN", "PLAIN"])
        let bare = SMTPServerCapabilities(ehloLines: ["mx.test", "SIZE"])
        #expect(bare.maximumSize == 0 && !bare.pipelining && !bare.startTLS && bare.authMechanisms.isEmpty)
    }

    @Test func dataIsCRLFAndDotStuffed() {
        let lines = MessageWireEncoding.canonicalLines(Array("Subject: x\n\n.hidden\r\n..two\rlast".utf8))
        #expect(String(decoding: lines, as: UTF8.self) == "Subject: x\r\n\r\n.hidden\r\n..two\r\nlast\r\n")
        let stuffed = MessageWireEncoding.dotStuffed(lines)
        #expect(String(decoding: stuffed, as: UTF8.self) == "Subject: x\r\n\r\n..hidden\r\n...two\r\nlast\r\n.\r\n")
        #expect(String(decoding: MessageWireEncoding.dotStuffed(Array(".\r\n".utf8)), as: UTF8.self) == "..\r\n.\r\n")
        #expect(MessageWireEncoding.hasEightBitBytes(Array("café".utf8)))
        #expect(!MessageWireEncoding.hasEightBitBytes(Array("cafe".utf8)))
    }

    @Test func eachRecipientGetsTheAnswerThatDecidedIt() {
        let ok = SMTPClientReply(code: 250, lines: ["2.0.0 ok"])
        let unknown = SMTPClientReply(code: 550, lines: ["5.1.1 unknown"])
        let busy = SMTPClientReply(code: 451, lines: ["4.3.0 busy"])
        let queued = SMTPClientReply(code: 250, lines: ["2.0.0 queued"])
        let go = SMTPClientReply(code: 354, lines: ["go"])
        // MAIL refused: every recipient gets MAIL's answer.
        #expect(SMTPClientSession.recipientReplies(mail: busy, recipients: [], final: nil, data: nil, count: 2)
                == [busy, busy])
        // One RCPT refused, the message taken for the other.
        #expect(SMTPClientSession.recipientReplies(mail: ok, recipients: [unknown, ok], final: queued, data: go,
                                                   count: 2) == [unknown, queued])
        // DATA refused: the accepted recipient gets DATA's answer.
        #expect(SMTPClientSession.recipientReplies(mail: ok, recipients: [ok], final: nil, data: busy, count: 1)
                == [busy])
    }

    @Test func relayAddresses() {
        #expect(RelayAddress(parsing: "relay.example.net:587", defaultPort: 25) == RelayAddress(host: "relay.example.net", port: 587))
        #expect(RelayAddress(parsing: "relay.example.net", defaultPort: 25)?.port == 25)
        #expect(RelayAddress(parsing: "[2001:db8::1]:2525", defaultPort: 25) == RelayAddress(host: "2001:db8::1", port: 2525))
        #expect(RelayAddress(parsing: "host:0", defaultPort: 25) == nil)
        #expect(RelayAddress(parsing: "host:x", defaultPort: 25) == nil)
        #expect(RelayAddress(parsing: ":25", defaultPort: 25) == nil)
    }
}
