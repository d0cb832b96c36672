import MailMessage
import Testing
@testable import IMAPServer

/// BODY[section]<partial> extraction (RFC 3501 §6.4.5) over `nestedMessage`.
@Suite struct IMAPBodySectionTests {
    private func section(_ spec: String, of message: Message = nestedMessage) -> String? {
        guard case .fetch(_, let attributes, _, _) = command("a FETCH 1 BODY[\(spec)]"),
            case .bodySection(let section, _, _) = attributes.first
        else {
            Issue.record("could not parse section \(spec)")
            return nil
        }
        return IMAPBodySection.extract(section, from: message).map(text)
    }

    static let innerMessage = "From: b@example.org\r\nTo: c@example.net\r\nSubject: inner\r\n"
        + "Content-Type: multipart/alternative; boundary=inner\r\n\r\n"
        + "--inner\r\nContent-Type: text/plain\r\n\r\nplain\r\n--inner\r\n"
        + "Content-Type: text/html; charset=\"us-ascii\"\r\nContent-Language: en, de\r\n\r\n<b>html</b>\r\n--inner--"

    @Test(arguments: [
        ("1", "Hello=20world\r\nline two"),
        ("1.MIME", "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"),
        ("2", innerMessage),
        ("2.HEADER", "From: b@example.org\r\nTo: c@example.net\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"),
        ("2.MIME", "Content-Type: Message/RFC822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n"),
        ("2.1", "plain"),
        ("2.2", "<b>html</b>"),
        ("2.1.MIME", "Content-Type: text/plain\r\n\r\n"),
        ("2.2.MIME", "Content-Type: text/html; charset=\"us-ascii\"\r\nContent-Language: en, de\r\n\r\n"),
        ("2.HEADER.FIELDS (SUBJECT to)", "To: c@example.net\r\nSubject: inner\r\n\r\n"),
        ("2.HEADER.FIELDS.NOT (Content-Type From)", "To: c@example.net\r\nSubject: inner\r\n\r\n"),
        ("HEADER.FIELDS.NOT (Content-Type MIME-Version)", "From: a@example.com\r\nSubject: test\r\n\r\n"),
        ("HEADER.FIELDS (X-Absent)", "\r\n"),
        ("HEADER", "From: a@example.com\r\nSubject: test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"),
        ("3", "AAEC"),
        ("1.HEADER", ""),
    ])
    func sections(spec: String, expected: String) {
        #expect(section(spec) == expected)
    }

    @Test(arguments: ["4", "1.1", "2.3", "2.1.1", "3.1", "2.2.5"])
    func missingPartsAreNil(spec: String) {
        #expect(section(spec) == nil)
    }

    @Test func wholeMessageAndText() throws {
        let whole = try #require(section(""))
        #expect(whole == text(nestedMessage.raw))
        let body = try #require(section("TEXT"))
        #expect(body.hasPrefix("preamble\r\n--outer\r\n"))
        #expect(body.hasSuffix("--outer--\r\nepilogue\r\n"))
        #expect(whole.hasSuffix(body))
        #expect(section("2.TEXT") == String(Self.innerMessage.split(separator: "\r\n\r\n", maxSplits: 1)[1]))
    }

    @Test func singlePartMessageIsPartOne() {
        let message = Message(parsing: bytes("Subject: x\r\n\r\nhello\r\n"))
        #expect(section("1", of: message) == "hello\r\n")
        #expect(section("TEXT", of: message) == "hello\r\n")
        #expect(section("1.MIME", of: message) == "Subject: x\r\n\r\n")
        #expect(section("2", of: message) == nil)
        #expect(section("1.1", of: message) == nil)
    }

    @Test func messagePartWithSinglePartBody() {
        let message = Message(parsing: bytes(
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
            + "Subject: in\r\n\r\ninner body\r\n--b--\r\n"))
        #expect(section("1.1", of: message) == "inner body")
        #expect(section("1.TEXT", of: message) == "inner body")
        #expect(section("1.HEADER", of: message) == "Subject: in\r\n\r\n")
        #expect(section("1.2", of: message) == nil)
    }

    @Test func lineFeedOnlyMessagesKeepTheirLineEnds() {
        let message = Message(parsing: bytes("From: a@b\nTo: c@d\n\nbody\n"))
        #expect(section("HEADER.FIELDS (To)", of: message) == "To: c@d\n\n")
    }

    @Test func partials() {
        let data = bytes("Hello=20world\r\nline two")
        #expect(text(IMAPBodySection.apply(IMAPPartial(offset: 0, length: 5), to: data)) == "Hello")
        #expect(text(IMAPBodySection.apply(IMAPPartial(offset: 20, length: 100), to: data)) == "two")
        #expect(IMAPBodySection.apply(IMAPPartial(offset: 30, length: 5), to: data).isEmpty)
        #expect(IMAPBodySection.apply(nil, to: data) == data)
    }

    @Test func binaryUndoesTheTransferEncoding() {
        #expect(IMAPBodySection.binary(part: [3], from: nestedMessage) == [0, 1, 2])
        #expect(IMAPBodySection.binary(part: [1], from: nestedMessage).map(text) == "Hello world\r\nline two")
        #expect(IMAPBodySection.binary(part: [9], from: nestedMessage) == nil)
        let unknown = Message(parsing: bytes("Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin"))
        #expect(IMAPBodySection.binary(part: [1], from: unknown) == nil)
    }
}
