import MailMessage
import Testing

/// Header sections (RFC 5322 §2.2): fields, folding, the end of the header, and what broken
/// headers look like after parsing.
@Suite struct HeaderSectionTests {
    func parse(_ text: String, _ ending: MIMEFixture.LineEnding = .lf) -> Message {
        Message(parsing: MIMEFixture.text(text, ending))
    }

    @Test(arguments: MIMEFixture.LineEnding.allCases)
    func foldedFieldsUnfold(_ ending: MIMEFixture.LineEnding) {
        let message = parse("Subject: one\n two\n\tthree\nTo: a@b.c\n\nbody", ending)
        #expect(message.header.fields.map(\.name) == ["Subject", "To"])
        #expect(message.header.first(named: "SUBJECT") == Array("one two\tthree".utf8))
        let subject = message.header.fields[0]
        #expect(subject.range.lowerBound == 0)
        #expect(subject.range.upperBound == message.header.fields[1].range.lowerBound)
        #expect(MIMEFixture.slice(message, subject.valueRange) == (ending == .lf ? " one\n two\n\tthree" : " one\r\n two\r\n\tthree"))
        #expect(MIMEFixture.slice(message, message.root.bodyRange) == "body")
    }

    @Test func headerWithoutBody() {
        let message = parse("Subject: only a header")
        #expect(message.subject == "only a header")
        #expect(message.root.bodyRange == message.raw.count..<message.raw.count)
        #expect(message.problems.isEmpty)
    }

    @Test func allNamedFieldsInOrder() {
        let message = parse("Received: one\nX: y\nreceived: two\n\n")
        #expect(message.header.all(named: "Received").map { String(decoding: $0, as: UTF8.self) } == ["one", "two"])
        #expect(message.header.first(named: "Missing") == nil)
        #expect(message.header.contains(named: "x"))
    }

    @Test func mboxSeparatorAtTheTopIsSkipped() {
        let message = parse("From alice@example.com Mon Jan  1 00:00:00 2024\nSubject: s\n\nb")
        #expect(message.header.fields.map(\.name) == ["Subject"])
        #expect(message.header.range.lowerBound == 48)
        #expect(message.problems.isEmpty)
    }

    @Test func lineWithoutColonBetweenFieldsIsSkipped() {
        let message = parse("Subject: s\nnot a field\nTo: a@b.c\n\nbody")
        #expect(message.header.fields.map(\.name) == ["Subject", "To"])
        #expect(message.problems == [ParseProblem(offset: 11, kind: .invalidHeaderLine)])
        #expect(MIMEFixture.slice(message, message.root.bodyRange) == "body")
    }

    @Test func lineWithoutColonBeforeTextStartsTheBody() {
        let message = parse("Subject: s\nHello there,\nhow are you?\n")
        #expect(message.header.fields.map(\.name) == ["Subject"])
        #expect(MIMEFixture.slice(message, message.root.bodyRange) == "Hello there,\nhow are you?\n")
        #expect(message.problems.map(\.kind) == [.missingHeaderSeparator])
    }

    @Test func continuationBeforeAnyFieldIsSkipped() {
        let message = parse(" stray\nSubject: s\n\n")
        #expect(message.header.fields.map(\.name) == ["Subject"])
        #expect(message.problems.map(\.kind) == [.continuationWithoutField])
    }

    @Test func whiteSpaceBeforeTheColonIsObsoleteButAccepted() {
        let message = parse("Subject : old style\n\n")
        #expect(message.header.fields.first?.name == "Subject")
        #expect(message.subject == "old style")
    }

    @Test func noHeaderAtAll() {
        let message = parse("\nbody only")
        #expect(message.header.fields.isEmpty)
        #expect(MIMEFixture.slice(message, message.root.bodyRange) == "body only")
        #expect(message.root.contentType.mimeType == "text/plain")
        #expect(message.root.contentType.parameters["charset"] == "us-ascii")
        #expect(message.root.partNumber == "1")
    }

    @Test func emptyInput() {
        let message = Message(parsing: [])
        #expect(message.header.fields.isEmpty)
        #expect(message.root.bodyRange == 0..<0)
        #expect(message.plainText() == "")
    }

    @Test func mimeFieldsOfAPart() {
        let message = parse("""
            Content-Type: application/octet-stream; name="a.bin"
            Content-Disposition: attachment; filename="=?UTF-8?Q?b=C3=A4r.bin?="
            Content-ID: <part1@example.com>
            Content-Description: =?ISO-8859-1?Q?Gr=FC=DFe?=

            data
            """)
        let root = message.root
        #expect(root.fileName == "bär.bin")
        #expect(root.contentID == "part1@example.com")
        #expect(root.contentDescription == "Grüße")
        #expect(root.disposition?.kind == "attachment")
        #expect(message.hasAttachments)
        #expect(root.lineCount == 0)  // not counted for application/*
    }

    @Test func lineCountOfTextBodies() {
        #expect(parse("Subject: s\n\none\ntwo\n").root.lineCount == 2)
        #expect(parse("Subject: s\n\none\ntwo").root.lineCount == 2)
        #expect(parse("Subject: s\n\n").root.lineCount == 0)
    }
}
