import DataLossPrevention
import Foundation
import MailMessage
import StoreModel
import Testing

@Suite("DLP rule files")
struct RuleFileTests {
    @Test func readsEveryKind() throws {
        let rules = try DLPRuleFile.parse("""
            # outgoing mail rules
            [[rule]]
            name = "cards"
            detect = ["payment-card"]
            action = "reject"

            [[rule]]
            name = "contracts-out"
            detect = ["attachment-type", "external-recipient"]
            types = ["pdf", "application/zip"]
            action = "quarantine"

            [[rule]]
            name = "falcon"
            detect = ["regex"]
            pattern = "(?i)project\\\\s+falcon"
            query = "subject:falcon"
            action = "copy"
            copy_to = "compliance@example.com"
            """, file: "dlp/rules.toml")
        #expect(rules.map(\.name) == ["cards", "contracts-out", "falcon"])
        #expect(rules[0].action == .reject)
        #expect(rules[1].detectors == [.attachmentType(["pdf", "application/zip"]), .externalRecipient])
        #expect(rules[2].action == .copy(address: "compliance@example.com"))
        #expect(rules[2].queryText == "subject:falcon")
        #expect(rules[1].line == 7)
    }

    @Test("problems name file and line", arguments: [
        ("[[rule]]\nname = \"a\"\ndetect = [\"card\"]\naction = \"reject\"\n", 3),
        ("[[rule]]\nname = \"a\"\ndetect = [\"iban\"]\naction = \"drop\"\n", 4),
        ("[[rule]]\nname = \"a\"\ndetect = [\"iban\"]\naction = \"notify\"\n", 1),
        ("[[rule]]\nname = \"a\"\ndetect = [\"regex\"]\npattern = \"(unclosed\"\naction = \"reject\"\n", 4),
        ("[[rule]]\nname = \"a\"\nquery = \"from:(\"\naction = \"reject\"\n", 3),
        ("[[rule]]\nname = \"a\"\ndetect = [\"iban\"]\naction = \"reject\"\nactoin = \"x\"\n", 5),
        ("[[rule]]\nname = \"a\"\ndetect = [\"iban\"\naction = \"reject\"\n", 4),  // TOMLKit: where it saw "action"
    ])
    func problems(text: String, line: Int) {
        #expect {
            _ = try DLPRuleFile.parse(text, file: "dlp/bad.toml")
        } throws: { error in
            guard let error = error as? DLPLoadError, let first = error.problems.first else { return false }
            return first.file == "dlp/bad.toml" && first.line == line
                && first.description.hasPrefix("dlp/bad.toml:\(line): ")
        }
    }

    @Test func folderWithDuplicateNames() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rule = "[[rule]]\nname = \"cards\"\ndetect = [\"payment-card\"]\naction = \"reject\"\n"
        try rule.write(to: folder.appendingPathComponent("a.toml"), atomically: true, encoding: .utf8)
        try ("# again\n" + rule).write(to: folder.appendingPathComponent("b.toml"), atomically: true, encoding: .utf8)
        #expect {
            _ = try DLPRuleSet.load(folder: folder, displayPath: "dlp")
        } throws: { error in
            (error as? DLPLoadError)?.problems.map(\.description).first?.hasPrefix("dlp/b.toml:2: ") == true
        }
    }

    @Test func rulesMatchOutgoingMessages() throws {
        let set = DLPRuleSet(rules: try DLPRuleFile.parse("""
            [[rule]]
            name = "cards"
            detect = ["payment-card"]
            action = "reject"
            [[rule]]
            name = "pdf-out"
            detect = ["attachment-type", "external-recipient"]
            types = ["pdf"]
            action = "quarantine"
            """, file: "t.toml"))
        let withPDF = Message(parsing: Array("""
            From: a@example.com\r
            Subject: report\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            see attached\r
            --b\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment; filename="Q3.PDF"\r
            \r
            JVBERi0=\r
            --b--\r

            """.utf8))
        let envelope = Envelope(receivedAt: Date(timeIntervalSince1970: 0), direction: .outbound, source: .submission)
        #expect(try set.hits(OutgoingMessage(message: withPDF, externalRecipients: ["x@elsewhere.example"]),
                             envelope: envelope, matcher: nil).map(\.rule) == ["pdf-out"])
        #expect(try set.hits(OutgoingMessage(message: withPDF, externalRecipients: []),
                             envelope: envelope, matcher: nil).isEmpty)
        let card = Message(parsing: Array("Subject: order\r\n\r\nmy card 4111 1111 1111 1111\r\n".utf8))
        let hits = try set.hits(OutgoingMessage(message: card, externalRecipients: ["x@elsewhere.example"]),
                                envelope: envelope, matcher: nil)
        #expect(hits.map(\.rule) == ["cards"])
        #expect(hits.deciding?.action == .reject)
    }
}
