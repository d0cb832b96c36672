import Foundation
import Testing
import TestSupport

/// What `tresor search` says about how many messages matched, what the audit trail records of a
/// page, `*`, and `tresor show` by Message-ID.
@Suite struct SearchCountTests {
    func tresor(_ dataDir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path], stdin: stdin)
    }

    static func message(_ n: Int) -> [UInt8] {
        Array("""
            From: Sender \(n) <s\(n)@example.com>\r
            To: <team@example.org>\r
            Subject: Report \(n)\r
            Date: Mon, 2 Jun 2025 10:00:0\(n) +0000\r
            Message-ID: <report-\(n)@example.com>\r
            \r
            Body \(n).\r

            """.utf8)
    }

    /// A data directory with five messages.
    func setUp(_ dir: URL) throws {
        #expect(try tresor(dir, ["init"]).status == 0)
        for n in 1...5 {
            let imported = try tresor(dir, ["import", "-"], stdin: Self.message(n))
            #expect(imported.status == 0, "\(imported.stderr)")
            // Standard error is no terminal here: no carriage-return progress line is left in it.
            #expect(!imported.stderr.contains("\r"), "\(imported.stderr)")
        }
    }

    @Test func aPageSaysHowManyMatchedInAllAndTheAuditRecordsLimitOffsetAndTotal() async throws {
        try await withTemporaryDirectory { dir in
            try setUp(dir)
            let all = try tresor(dir, ["search", "report"])
            #expect(all.status == 0 && all.stdout.hasSuffix("5 messages\n"), "\(all.stdout)")
            let page = try tresor(dir, ["search", "report", "--limit", "2", "--offset", "1", "--actor", "pager"])
            #expect(page.stdout.contains("showing 2-3 of 5 messages (use --limit/--offset"), "\(page.stdout)")
            // Newest first: the second and third newest.
            #expect(page.stdout.contains("Report 4") && page.stdout.contains("Report 3") && !page.stdout.contains("Report 5"))
            let json = try tresor(dir, ["search", "report", "--json", "--limit", "1"])
            let hits = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            #expect(hits.count == 1 && json.stderr.contains("showing 1-1 of 5 messages"), "\(json.stderr)")

            let audit = try tresor(dir, ["audit", "--json"])
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
            let paged = try #require(entries.first { ($0["detail"] as? String)?.contains("limit=2") == true }, "\(audit.stdout)")
            let detail = paged["detail"] as? String ?? ""
            #expect(detail.contains("limit=2 offset=1 total=5"), "\(detail)")
            #expect(paged["resultCount"] as? Int == 2, "\(paged)")
        }
    }

    @Test func starMatchesEveryMessageInASearchAndAHold() async throws {
        try await withTemporaryDirectory { dir in
            try setUp(dir)
            let count = try tresor(dir, ["search", "*", "--count"])
            #expect(count.status == 0 && count.stdout == "5\n", "\(count.stdout)\(count.stderr)")
            #expect(try tresor(dir, ["search", "*", "-subject:report"]).stdout.hasSuffix("0 messages\n"))
            #expect(try tresor(dir, ["search", "*", "from:s2@example.com", "--count"]).stdout == "1\n")
        }
    }

    @Test func showTakesAMessageIDAsWellAsTheArchiveID() async throws {
        try await withTemporaryDirectory { dir in
            try setUp(dir)
            let shown = try tresor(dir, ["show", "<report-3@example.com>"])
            #expect(shown.status == 0 && shown.stdout.contains("Subject:") && shown.stdout.contains("Report 3"),
                    "\(shown.stdout)\(shown.stderr)")
            let bare = try tresor(dir, ["show", "report-3@example.com", "--raw"])
            #expect(bare.stdoutBytes == Self.message(3))
            let unknown = try tresor(dir, ["show", "<nobody@example.com>"])
            #expect(unknown.status != 0 && unknown.stderr.contains("Message-ID"), "\(unknown.stderr)")
        }
    }

    @Test func showTakesTheSMTPTransactionIDOfTheServersReply() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try tresor(data, ["init"]).status == 0)
            #expect(try tresor(data, ["domain", "add", "example.org"]).status == 0)
            #expect(try tresor(data, ["user", "add", "bob@example.org", "--password-stdin"], stdin: Array("pw\n".utf8)).status == 0)
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.show.test").utf8).write(to: config)
            let serve = try await ServeProcess.start(config: config)
            defer { serve.killIfRunning() }
            let port = try #require(serve.ports["smtp"])
            // The 250 reply names the transaction id the log's `transaction` line and Received carry.
            let reply = try await ChildProcess.python("""
                import smtplib, sys
                s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
                s.ehlo("client.test"); s.mail("anna@remote.test"); s.rcpt("bob@example.org")
                code, text = s.data(b"From: <anna@remote.test>\\r\\nTo: <bob@example.org>\\r\\nSubject: Queued\\r\\n\\r\\nHi.\\r\\n")
                s.quit()
                print(code, text.decode())
                """, ["\(port)"])
            let words = reply.split(separator: " ")
            #expect(words.first == "250", "\(reply)")
            let transaction = try #require(words.dropFirst(3).first.map(String.init), "\(reply)")
            let shown = try tresor(data, ["show", transaction])
            #expect(shown.status == 0 && shown.stdout.contains("Queued"), "\(reply) \(shown.stdout)\(shown.stderr)")
        }
    }

    @Test func verifySaysWhatTheUnsealedSegmentIs() async throws {
        try await withTemporaryDirectory { dir in
            try setUp(dir)
            let verified = try tresor(dir, ["verify"])
            #expect(verified.status == 0 && verified.stdout.contains("segments:   1 (0 sealed); the unsealed one is the live "
                                                                     + "segment"), "\(verified.stdout)")
        }
    }
}
