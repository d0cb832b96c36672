import NIOCore
import ServerKit
@testable import SMTPServer
import Testing

@Suite struct SMTPCommandTests {
    static let valid: [(String, SMTPCommand)] = [
        ("EHLO client.test", .hello(domain: "client.test", extended: true)),
        ("ehlo [192.0.2.1]", .hello(domain: "[192.0.2.1]", extended: true)),
        ("HELO my_pc", .hello(domain: "my_pc", extended: false)),
        ("MAIL FROM:<a@b.test>", .mail(reversePath: "a@b.test", parameters: MailParameters(), nonASCII: false)),
        ("mail from:<>", .mail(reversePath: "", parameters: MailParameters(), nonASCII: false)),
        ("MAIL FROM: <a@b.test>", .mail(reversePath: "a@b.test", parameters: MailParameters(), nonASCII: false)),
        ("MAIL FROM:<@relay.test,@r2.test:a@b.test>", .mail(reversePath: "a@b.test", parameters: MailParameters(), nonASCII: false)),
        ("MAIL FROM:<\"john doe\"@b.test>", .mail(reversePath: "\"john doe\"@b.test", parameters: MailParameters(), nonASCII: false)),
        ("MAIL FROM:<a@[192.0.2.1]>", .mail(reversePath: "a@[192.0.2.1]", parameters: MailParameters(), nonASCII: false)),
        ("MAIL FROM:<a@b.test> SIZE=1000 BODY=8bitmime",
         .mail(reversePath: "a@b.test", parameters: MailParameters(size: 1000, body: .eightBitMIME), nonASCII: false)),
        ("MAIL FROM:<j\u{F6}rg@b\u{FC}ro.test> SMTPUTF8 BODY=8BITMIME",
         .mail(reversePath: "j\u{F6}rg@b\u{FC}ro.test", parameters: MailParameters(body: .eightBitMIME, smtputf8: true), nonASCII: true)),
        ("MAIL FROM:<a@b.test> BODY=BINARYMIME AUTH=<>",
         .mail(reversePath: "a@b.test", parameters: MailParameters(body: .binaryMIME, auth: "<>"), nonASCII: false)),
        ("RCPT TO:<bob@example.test>", .recipient(forwardPath: "bob@example.test", nonASCII: false)),
        ("RCPT TO:<Postmaster>", .recipient(forwardPath: "Postmaster", nonASCII: false)),
        ("rcpt to:<user+tag@example.test>", .recipient(forwardPath: "user+tag@example.test", nonASCII: false)),
        ("DATA", .data),
        ("BDAT 1000", .binaryData(size: 1000, last: false)),
        ("BDAT 0 LAST", .binaryData(size: 0, last: true)),
        ("bdat 12 last", .binaryData(size: 12, last: true)),
        ("RSET", .reset),
        ("VRFY bob", .verify("bob")),
        ("HELP", .help(nil)),
        ("HELP MAIL", .help("MAIL")),
        ("NOOP", .noop),
        ("NOOP anything at all", .noop),
        ("QUIT", .quit),
        ("StartTLS", .startTLS),
        ("AUTH PLAIN", .auth(.plain, initialResponse: nil)),
        ("AUTH PLAIN =", .auth(.plain, initialResponse: [])),
        ("AUTH PLAIN AHRpbQB0YW5zdGFhZg==", .auth(.plain, initialResponse: Array("\0tim\0tanstaaf".utf8))),
        ("auth login Ym9i", .auth(.login, initialResponse: Array("bob".utf8))),
    ]

    @Test(arguments: valid)
    func parses(_ line: String, _ expected: SMTPCommand) throws {
        #expect(try SMTPCommand(parsing: ByteBuffer(string: line)) == expected)
    }

    static let invalid: [(String, SMTPSyntaxError)] = [
        ("", .unknownCommand),
        ("FOO", .unknownCommand),
        ("GET / HTTP/1.1", .unknownCommand),
        ("EHLO", .invalidArguments("EHLO needs a domain")),
        ("EHLO a b", .invalidArguments("text after the domain")),
        ("MAIL", .invalidArguments("expected MAIL FROM:<address>")),
        ("MAIL TO:<a@b>", .invalidArguments("expected MAIL FROM:<address>")),
        ("MAIL FROM:a@b.test", .invalidSender),
        ("MAIL FROM:<a@b.test", .invalidSender),
        ("MAIL FROM:<a@>", .invalidSender),
        ("MAIL FROM:<@b.test>", .invalidSender),
        ("MAIL FROM:<a..b@c.test>", .invalidSender),
        ("MAIL FROM:<a@-b.test>", .invalidSender),
        ("MAIL FROM:<a@b.test> SIZE=abc", .invalidArguments("SIZE needs a number")),
        ("MAIL FROM:<a@b.test> BODY=9BIT", .invalidArguments("BODY must be 7BIT, 8BITMIME or BINARYMIME")),
        ("MAIL FROM:<a@b.test> SMTPUTF8=yes", .invalidArguments("SMTPUTF8 takes no value")),
        ("MAIL FROM:<a@b.test> RET=HDRS", .unknownParameter("RET")),
        ("RCPT TO:<>", .invalidRecipient),
        ("RCPT TO:<bob>", .invalidRecipient),
        ("RCPT TO:<b@c.test> NOTIFY=NEVER", .unknownParameter("NOTIFY")),
        ("DATA now", .invalidArguments("DATA takes no arguments")),
        ("BDAT", .invalidArguments("BDAT needs a chunk size")),
        ("BDAT x", .invalidArguments("BDAT needs a chunk size")),
        ("BDAT -1", .invalidArguments("BDAT needs a chunk size")),
        ("BDAT 10 FIRST", .invalidArguments("expected LAST")),
        ("BDAT 1000000000000000000000", .invalidArguments("BDAT needs a chunk size")),
        ("RSET x", .invalidArguments("RSET takes no arguments")),
        ("QUIT now", .invalidArguments("QUIT takes no arguments")),
        ("VRFY", .invalidArguments("VRFY needs an argument")),
        ("STARTTLS x", .invalidArguments("STARTTLS takes no arguments")),
        ("AUTH", .invalidArguments("AUTH needs a mechanism")),
        ("AUTH CRAM-MD5", .unsupportedMechanism),
        ("AUTH PLAIN not*base64", .invalidBase64),
        ("NOOP \0", .nulByte),
        ("EH\0LO x", .nulByte),
    ]

    @Test(arguments: invalid)
    func refuses(_ line: String, _ expected: SMTPSyntaxError) {
        #expect(throws: expected) { try SMTPCommand(parsing: ByteBuffer(string: line)) }
    }

    @Test func syntaxErrorsMapToTheirReplyCodes() {
        #expect(SMTPSyntaxError.unknownCommand.reply.code == 500)
        #expect(SMTPSyntaxError.invalidArguments("x").reply.code == 501)
        #expect(SMTPSyntaxError.invalidSender.reply == SMTPReply(501, "5.1.7", "Bad sender address syntax"))
        #expect(SMTPSyntaxError.invalidRecipient.reply.enhanced == "5.1.3")
        #expect(SMTPSyntaxError.unknownParameter("RET").reply.code == 555)
        #expect(SMTPSyntaxError.unsupportedMechanism.reply.code == 504)
    }

    @Test func pathLengthLimitsAreEnforced() {
        let local = String(repeating: "a", count: 65)
        #expect(throws: SMTPSyntaxError.invalidSender) {
            try SMTPCommand(parsing: ByteBuffer(string: "MAIL FROM:<\(local)@b.test>"))
        }
        let domain = (0..<60).map { _ in "abcd" }.joined(separator: ".")
        #expect(throws: SMTPSyntaxError.invalidRecipient) {
            try SMTPCommand(parsing: ByteBuffer(string: "RCPT TO:<a@\(domain)>"))
        }
    }

    @Test func repliesEncodeMultiLineWithEnhancedCodeOnEachLine() {
        #expect(SMTPReply(250, "2.0.0", "one\ntwo").description == "250-2.0.0 one\r\n250 2.0.0 two\r\n")
        #expect(SMTPReply(334, nil, "").description == "334 \r\n")
    }
}
