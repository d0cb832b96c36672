import Foundation
import MailMessage
import Testing
import TestSupport

/// Structure, offsets and decoded values of the fixtures in `Fixtures/mime/`, each with LF and
/// with CRLF line ends: `bodyRange` must select exactly the part body (RFC 2046 §5.1.1: the line
/// break before a delimiter belongs to the delimiter), whatever the line ends.
@Suite struct MIMEFixtureTests {
    typealias Ending = MIMEFixture.LineEnding

    @Test(arguments: Ending.allCases)
    func nestedTreeNumbersAndTypes(_ ending: Ending) throws {
        let message = Message(parsing: try MIMEFixture.load("nested.eml", ending))
        let outline = message.parts.map { "\($0.partNumber) \($0.contentType.mimeType)" }
        #expect(outline == [
            " multipart/mixed", "1 text/plain", "2 multipart/alternative", "2.1 text/plain", "2.2 text/html",
            "3 message/rfc822", "3 multipart/mixed", "3.1 text/plain", "3.2 application/octet-stream",
            "4 application/pdf",
        ])
        #expect(message.problems.isEmpty)
        #expect(StructureCheck.violations(message).isEmpty)
    }

    @Test(arguments: Ending.allCases)
    func nestedBodyRangesSelectExactlyTheBodies(_ ending: Ending) throws {
        let message = Message(parsing: try MIMEFixture.load("nested.eml", ending))
        let expected: [(String, String)] = [
            ("1", "Hello Bob,\nthe report is attached."),
            ("2.1", "Plain alternative."),
            ("2.2", "<p>HTML alternative</p>"),
            ("3.1", "Inner text."),
            ("3.2", "AAECAwQ="),
            ("4", "JVBERi0xLjQKJeLjz9MK"),
            ("3", """
                From: carol@example.com
                Subject: Forwarded
                Content-Type: multipart/mixed; boundary=inner

                --inner
                Content-Type: text/plain

                Inner text.
                --inner
                Content-Type: application/octet-stream; name="data.bin"
                Content-Transfer-Encoding: base64

                AAECAwQ=
                --inner--
                """),
        ]
        for (number, body) in expected {
            let part = try #require(message.part(number), "part \(number)")
            let want = String(decoding: MIMEFixture.text(body, ending), as: UTF8.self)
            #expect(MIMEFixture.slice(message, part.bodyRange) == want, "part \(number)")
        }
        let two = try #require(message.part("2"))
        #expect(MIMEFixture.slice(message, two.headerRange).hasPrefix("Content-Type: multipart/alternative"))
        #expect(two.headerRange.upperBound == two.bodyRange.lowerBound)
        // The root body runs from the preamble through the epilogue.
        #expect(MIMEFixture.slice(message, message.root.bodyRange).hasPrefix("This is the preamble."))
        #expect(MIMEFixture.slice(message, message.root.bodyRange).hasSuffix("This is the epilogue." + (ending == .crlf ? "\r\n" : "\n")))
    }

    @Test(arguments: Ending.allCases)
    func nestedEnvelopeFields(_ ending: Ending) throws {
        let message = Message(parsing: try MIMEFixture.load("nested.eml", ending))
        #expect(message.subject == "Quarterly report – final version")
        #expect(message.from.map(\.mailbox) == ["alice@example.com"])
        #expect(message.from.first?.displayName == "Alice Example")
        #expect(message.to.map(\.mailbox) == ["bob@example.org", "renee@example.net"])
        #expect(message.to.last?.displayName == "Renée")
        #expect(message.messageID == "report-42@example.com")
        #expect(message.date == Date(timeIntervalSince1970: 1_719_904_500))
        #expect(message.attachmentFileNames == ["data.bin", "report.pdf"])
        #expect(message.hasAttachments)
        let encapsulated = try #require(message.part("3")?.encapsulatedHeader)
        #expect(encapsulated.first(named: "subject") == Array("Forwarded".utf8))
    }

    @Test(arguments: Ending.allCases)
    func nestedDecodedBodies(_ ending: Ending) throws {
        let message = Message(parsing: try MIMEFixture.load("nested.eml", ending))
        #expect(message.part("3.2")?.decodedBody(in: message.raw) == [0, 1, 2, 3, 4])
        #expect(message.part("4")?.decodedBody(in: message.raw) == Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".unicodeScalars.map { UInt8($0.value) }))
        #expect(message.part("1")?.text(in: message.raw) == String(decoding: MIMEFixture.text("Hello Bob,\nthe report is attached.", ending), as: UTF8.self))
        #expect(message.part("4")?.text(in: message.raw) == nil)
    }

    @Test(arguments: Ending.allCases)
    func nestedPlainTextPrefersPlainAlternative(_ ending: Ending) throws {
        let text = Message(parsing: try MIMEFixture.load("nested.eml", ending)).plainText()
        #expect(text.contains("Hello Bob,"))
        #expect(text.contains("Plain alternative."))
        #expect(!text.contains("HTML alternative"))
        #expect(text.contains("Forwarded"))
        #expect(text.contains("Inner text."))
        #expect(!text.contains("JVBERi0"))
    }

    @Test(arguments: Ending.allCases)
    func digestChildrenDefaultToMessages(_ ending: Ending) throws {
        let message = Message(parsing: try MIMEFixture.load("digest.eml", ending))
        let outline = message.parts.map { "\($0.partNumber) \($0.contentType.mimeType)" }
        #expect(outline == [" multipart/digest", "1 message/rfc822", "1.1 text/plain", "2 message/rfc822", "2.1 text/plain"])
        #expect(message.part("1.1").map { MIMEFixture.slice(message, $0.bodyRange) } == "First message.")
        #expect(message.part("2")?.encapsulatedHeader?.first(named: "Subject") == Array("Second".utf8))
        #expect(message.part("1")?.lineCount == 4)
        #expect(message.problems.isEmpty)
    }

    @Test(arguments: Ending.allCases)
    func transferEncodingsAndCharsets(_ ending: Ending) throws {
        let message = Message(parsing: try MIMEFixture.load("encodings.eml", ending))
        #expect(message.part("1")?.transferEncoding == "quoted-printable")
        #expect(message.part("1")?.text(in: message.raw) == "Grüße aus Köln, mit einem sehr langen Satz, der weich umbrochen wird.")
        #expect(message.part("2")?.text(in: message.raw) == "Hello, wörld!\n")
        let text = message.plainText()
        #expect(text.contains("Café & Bar €5"))
        #expect(!text.contains("alert"))
        #expect(!text.contains("color"))
        #expect(!text.contains("hidden"))
    }

    @Test(arguments: Ending.allCases)
    func malformedIsRepairedAndReported(_ ending: Ending) throws {
        let message = Message(parsing: try MIMEFixture.load("malformed.eml", ending))
        #expect(message.header.fields.map(\.name) == ["From", "Subject", "Content-Type"])
        #expect(message.subject == "Broken  but folded")  // unfolding keeps the white space (§2.2.3)
        let outline = message.parts.map { "\($0.partNumber) \($0.contentType.mimeType)" }
        #expect(outline == [" multipart/mixed", "1 text/plain", "2 multipart/alternative", "2.1 text/plain", "3 text/plain"])
        #expect(message.part("2.1").map { MIMEFixture.slice(message, $0.bodyRange) } == "Inner part without close delimiter.")
        let last = try #require(message.part("3"))
        #expect(Array(message.raw[last.bodyRange]) == MIMEFixture.text("Last part, no close delimiter either.\n", ending))
        #expect(message.problems.map(\.kind) == [.invalidHeaderLine, .unterminatedMultipart, .unterminatedMultipart])
        #expect(StructureCheck.violations(message).isEmpty)
    }

    @Test func lfAndCRLFGiveTheSameTree() throws {
        for name in ["nested.eml", "digest.eml", "encodings.eml", "malformed.eml"] {
            let lf = Message(parsing: try MIMEFixture.load(name, .lf))
            let crlf = Message(parsing: try MIMEFixture.load(name, .crlf))
            #expect(lf.parts.map(\.partNumber) == crlf.parts.map(\.partNumber), "\(name)")
            #expect(lf.parts.map(\.contentType) == crlf.parts.map(\.contentType), "\(name)")
            #expect(lf.parts.map(\.lineCount) == crlf.parts.map(\.lineCount), "\(name)")
            #expect(lf.problems.map(\.kind) == crlf.problems.map(\.kind), "\(name)")
            #expect(lf.plainText() == crlf.plainText().replacingOccurrences(of: "\r\n", with: "\n"), "\(name)")
        }
    }
}
