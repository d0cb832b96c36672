import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A message with attachment documents, delivered over SMTP by Python's smtplib, answered `250`
/// before its documents are read; the server's background indexer reads them, `tresor status`
/// shows it caught up, and then `tresor search` finds the words inside the attachment, `show`
/// lists each attachment's state and `has:unextracted` finds the one that could not be read.
@Suite struct AttachmentSearchEndToEndTests {
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin)
    }

    static let send = #"""
        import smtplib, sys
        from email.message import EmailMessage
        m = EmailMessage()
        m["From"] = "counsel@example.org"; m["To"] = "a@localhost"; m["Subject"] = "zqdeal papers"
        m.set_content("The signed papers are attached.")
        rtf = r"{\rtf1\ansi{\fonttbl{\f0 Helvetica;}}\pard Indemnity clause zqwaterfall applies to Stra\'dfe 9.\par}"
        m.add_attachment(rtf.encode("ascii"), maintype="application", subtype="rtf", filename="terms.rtf")
        m.add_attachment(b"\x00\x01binary", maintype="application", subtype="octet-stream", filename="blob.bin")
        with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
            s.send_message(m)
        """#

    @Test func attachmentTextIsFoundOnceTheBackgroundIndexerCaughtUp() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["user", "add", "a@localhost", "--password-stdin"], stdin: Array("secret\n".utf8)).status == 0)
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.attach.test").utf8).write(to: config)
            let serve = try await ServeProcess.start(config: config)
            defer { serve.killIfRunning() }
            _ = try await ChildProcess.python(Self.send, ["\(try #require(serve.ports["smtp"]))"])

            // Polls the indexer's state as `tresor status` reports it, until it has read the message.
            var caughtUp = false
            for _ in 0..<600 {
                let status = try tresor(dir, ["status", "--json"])
                let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
                let deliveries = (json?["archive"] as? [String: Any])?["deliveries"] as? Int
                let behind = (json?["attachmentIndex"] as? [String: Any])?["messagesBehind"] as? Int
                if deliveries == 1, behind == 0 {
                    caughtUp = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(caughtUp, "the attachment indexer did not catch up")
            #expect(await serve.stop(SIGTERM) == 0)

            for query in ["zqwaterfall", "body:zqwaterfall", "in:attachment:zqwaterfall", "in:attachment:strasse",
                          "has:unextracted", "attachment:terms"] {
                let result = try tresor(dir, ["search", query, "--json"])
                #expect(result.status == 0, "\(query): \(result.stderr)")
                let hits = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
                #expect(hits?.compactMap { $0["subject"] as? String } == ["zqdeal papers"], "\(query): \(result.stdout)")
            }
            let none = try tresor(dir, ["search", "in:attachment:signed", "--json"])
            #expect((try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [Any])?.isEmpty == true)

            // The snippet names the attachment the folded word stands in and marks it as written.
            let folded = try tresor(dir, ["search", "in:attachment:strasse", "--json"])
            let snippet = try #require((try JSONSerialization.jsonObject(with: Data(folded.stdout.utf8)) as? [[String: Any]])?
                .first?["snippet"] as? [String: Any], "\(folded.stdout)")
            #expect(snippet["source"] as? String == "attachment")
            #expect(snippet["attachment"] as? String == "terms.rtf")
            #expect((snippet["marked"] as? String)?.contains("[Straße]") == true, "\(snippet)")
            let text = try #require(snippet["text"] as? String)
            let match = try #require((snippet["matches"] as? [[String: Int]])?.first)
            let scalars = Array(text.unicodeScalars)
            let start = try #require(match["offset"]), length = try #require(match["length"])
            #expect(String(String.UnicodeScalarView(scalars[start..<start + length])) == "Straße")

            let table = try tresor(dir, ["search", "body:zqwaterfall"])
            #expect(table.stdout.contains("attachment terms.rtf (part 2): "), "\(table.stdout)")
            #expect(table.stdout.contains("[zqwaterfall]"), "\(table.stdout)")
            let bodyTable = try tresor(dir, ["search", "signed"])
            #expect(bodyTable.stdout.contains("body: The [signed] papers are attached."), "\(bodyTable.stdout)")
            let quiet = try tresor(dir, ["search", "zqwaterfall", "--no-snippets", "--json"])
            #expect(!quiet.stdout.contains("\"snippet\""))
            // The content shown is audited: one entry per search naming the messages whose text was shown.
            let trail = try tresor(dir, ["audit", "--json"])
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(trail.stdout.utf8)) as? [[String: Any]])
            let read = entries.filter {
                $0["action"] as? String == "search snippets" && ($0["detail"] as? String)?.hasPrefix("query=\"signed\"") == true
            }
            #expect(read.count == 1, "\(trail.stdout)")
            #expect((read.first?["detail"] as? String)?.hasSuffix("messages=" + (try #require(
                (try JSONSerialization.jsonObject(with: Data(quiet.stdout.utf8)) as? [[String: Any]])?.first?["id"] as? String)))
                == true)

            let found = try tresor(dir, ["search", "zqwaterfall", "--json"])
            let id = try #require((try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]])?
                .first?["id"] as? String)
            let shown = try tresor(dir, ["show", id])
            #expect(shown.status == 0, "\(shown.stderr)")
            let states = shown.stdout.split(separator: "\n").filter { $0.hasPrefix("Extraction:") }
            #expect(states.count == 2)
            #expect(states.first?.contains("terms.rtf") == true && states.first?.hasSuffix("text extracted") == true)
            #expect(states.last?.contains("blob.bin") == true && states.last?.hasSuffix("not extracted: unsupported-type") == true)
        }
    }
}
