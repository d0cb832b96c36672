import Export
import Foundation
import MailMessage
import Testing

/// The pure parts of the formats: mboxrd escaping, RFC 4180 quoting, SHA256SUMS lines, Maildir
/// flag letters, safe paths.
@Suite struct FormatTests {
    @Test(arguments: ExportFixtures.messages.map { String(decoding: $0, as: UTF8.self) } + [
        "From the first line\r\n\r\nbody\r\n", ">From\n>>From x\nFrom\nFrom  \n", "",
    ])
    func mboxrdRoundTripsThroughTheReader(_ text: String) {
        let raw = Array(text.utf8)
        var mbox = Mboxrd.separator(sender: "a@example.org", date: Date(timeIntervalSince1970: 0))
        mbox += Mboxrd.escapedMessage(raw)
        mbox += Mboxrd.separator(sender: nil, date: Date(timeIntervalSince1970: 86_400 * 40))
        mbox += Mboxrd.escapedMessage(Array("Subject: second\n\nFrom x\n".utf8))
        let entries = Array(MboxReader(data: mbox))
        #expect(entries.count == 2)
        var first = entries.first?.message ?? []
        // mbox gives a message without a final line end one (RFC 4155 §2).
        if raw.last != 0x0A { #expect(first.last == 0x0A); first.removeLast() }
        #expect(first == raw)
        #expect(entries.last?.message == Array("Subject: second\n\nFrom x\n".utf8))
    }

    @Test func escapingQuotesExactlyTheSeparatorLikeLines() {
        let escaped = String(decoding: Mboxrd.escapedMessage(Array("From a\nx From b\n>From c\n>>From d\n>Fro e\nFrom\n".utf8)),
                             as: UTF8.self)
        #expect(escaped == ">From a\nx From b\n>>From c\n>>>From d\n>Fro e\nFrom\n\n")
    }

    @Test func separatorLineHasAnAsctimeDateAndASafeSender() {
        let date = Date(timeIntervalSince1970: 1_749_000_000)  // 2025-06-04 01:20:00 UTC
        #expect(Mboxrd.separator(sender: "anna@example.org", date: date) == Array("From anna@example.org Wed Jun  4 01:20:00 2025\n".utf8))
        #expect(Mboxrd.separator(sender: "two words", date: Date(timeIntervalSince1970: 0))
                == Array("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n".utf8))
    }

    @Test func manifestQuotesPerRFC4180AndReadsBack() throws {
        let row = ManifestRow(archiveID: "ab", sha256: "cd", date: "2025-06-02T10:00:00Z",
                              from: "\"Carl, Jr.\" <carl@example.org>", to: "a@b; c@d", subject: "line\r\nbreak, \"quoted\"",
                              folders: "anna@example.org:INBOX", size: 12, file: "messages/x.eml", flags: "\\Seen $Work")
        let bytes = ManifestCSV.encode([row, row])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("archive_id,sha256,date,from,to,subject,folders,size,file,flags\r\n"))
        #expect(text.contains(",\"\"\"Carl, Jr.\"\" <carl@example.org>\","))
        #expect(text.contains("\"line\r\nbreak, \"\"quoted\"\"\""))
        #expect(try ManifestCSV.decode(bytes) == [row, row])
        #expect(throws: ManifestCSV.ParseError.self) { try ManifestCSV.decode(Array("a,b\r\n".utf8)) }
        #expect(throws: ManifestCSV.ParseError.self) {
            try ManifestCSV.decode(bytes + Array("x,\"unterminated\r\n".utf8))
        }
    }

    @Test func sumsAreSortedSha256sumLines() throws {
        let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64)
        let bytes = SHA256Sums.encode(["messages/b.eml": b, "manifest.csv": a])
        #expect(String(decoding: bytes, as: UTF8.self) == "\(a)  manifest.csv\n\(b)  messages/b.eml\n")
        #expect(try SHA256Sums.decode(bytes) == ["messages/b.eml": b, "manifest.csv": a])
        #expect(throws: SHA256Sums.ParseError.self) { try SHA256Sums.decode(Array("xyz  file\n".utf8)) }
    }

    @Test func maildirLettersAreSortedAndKeywordsLeftOut() {
        #expect(MaildirFlags.letters(["\\Seen", "\\Flagged", "$Work", "\\Answered"]) == "FRS")
        #expect(MaildirFlags.letters(["\\Deleted", "\\Draft"]) == "DT")
        #expect(MaildirFlags.letters([]) == "")
    }

    @Test func folderLevelsBecomeSafeDistinctPaths() {
        #expect(ExportPaths.folder("Lists/Swift", format: .mbox) == "Lists/Swift")
        #expect(ExportPaths.folder(".hidden/a\\b:c%d", format: .eml) == "%2Ehidden/a%5Cb%3Ac%25d")
        #expect(ExportPaths.folder("Work/cur", format: .maildir) == "Work/%63ur")
        #expect(ExportPaths.folder("Work/cur", format: .eml) == "Work/cur")
        let long = String(repeating: "ä", count: 150)
        let level = ExportPaths.level(long, format: .mbox)
        #expect(level.utf8.count <= 200 && level != ExportPaths.level(long + "x", format: .mbox))
        #expect(ExportPaths.emlName(date: Date(timeIntervalSince1970: 1_749_000_000), sha256: "ab")
                == "20250604T012000Z_ab.eml")
    }
}
