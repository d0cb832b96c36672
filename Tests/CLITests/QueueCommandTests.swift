import Foundation
import Testing
import TestSupport

/// `tresor queue list|show|retry|delete` over a queue filled by a real `tresor serve`: two
/// messages submitted for a domain whose route leads nowhere, tried once, waiting an hour.
@Suite struct QueueCommandTests {
    func tresor(_ dataDir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path], stdin: stdin)
    }

    static let submit = #"""
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='client.test', timeout=30)
s.login('anna@example.org', 'secret pw')
for i, rcpt in enumerate(['far@nowhere.test', 'away@nowhere.test']):
    s.sendmail('anna@example.org', [rcpt], ('From: <anna@example.org>\r\nTo: <%s>\r\nSubject: q%d\r\n'
               'Message-ID: <q%d@example.org>\r\n\r\nhello\r\n' % (rcpt, i, i)).encode())
s.quit()
"""#

    /// Runs `tresor serve`, submits the two messages, waits until both were tried, stops it.
    func fillQueue(_ dir: URL, config: URL) async throws {
        let serve = try await ServeProcess.start(config: config)
        defer { serve.killIfRunning() }
        let port = try #require(serve.ports["submission"], "serve printed no submission port")
        _ = try await ChildProcess.python(Self.submit, [String(port)])
        // Both rows tried once (connection refused), then waiting for the next hour.
        let deadline = Date().addingTimeInterval(60)  // a loaded machine may need long; only a defect needs a minute
        while Date() < deadline {
            let list = try tresor(dir, ["queue", "list"]).stdout
            if list.split(separator: "\n").filter({ $0.contains("attempts=1") }).count == 2 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        await serve.stop(SIGTERM)
    }

    @Test func listShowRetryDeleteAudited() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try tresor(data, ["init"]).status == 0)
            #expect(try tresor(data, ["domain", "add", "example.org"]).status == 0)
            #expect(try tresor(data, ["user", "add", "anna@example.org", "--password-stdin"],
                               stdin: Array("secret pw\n".utf8)).status == 0)
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.example.org", tables: """
                [delivery]
                retry_schedule = ["1h"]

                [delivery.routes]
                "nowhere.test" = "127.0.0.1:1"
                """).utf8).write(to: config)
            #expect(try tresor(data, ["queue", "list"]).stdout == "nothing waits in the queue\n")
            try await fillQueue(data, config: config)

            var result = try tresor(data, ["queue", "list", "--actor", "ops"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            try #require(lines.count == 2, "\(result.stdout)")
            #expect(lines[0].hasPrefix("1  queued  attempts=1  next=") && lines[0].contains("anna@example.org -> far@nowhere.test"))
            #expect(lines[0].contains("connection failed"), "\(lines[0])")
            #expect(lines[1].hasPrefix("2  queued  attempts=1") && lines[1].contains("-> away@nowhere.test"))

            result = try tresor(data, ["queue", "show", "1"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("To:           far@nowhere.test\n"))
            #expect(result.stdout.contains("Status code:  4.4.1\n"))
            #expect(result.stdout.contains("Remote MTA:   127.0.0.1\n"))
            #expect(try tresor(data, ["queue", "show", "99"]).stderr.contains("no queue entry 99"))

            result = try tresor(data, ["queue", "retry", "1"])
            #expect(result.stdout == "1 row due now\n")
            result = try tresor(data, ["queue", "list"])
            let next1 = result.stdout.split(separator: "\n")[0], next2 = result.stdout.split(separator: "\n")[1]
            #expect(next1 != lines[0] && next2 == lines[1], "only row 1's next attempt moved")
            #expect(try tresor(data, ["queue", "retry", "--all"]).stdout == "2 rows due now\n")
            #expect(try tresor(data, ["queue", "retry"]).status != 0)

            result = try tresor(data, ["queue", "delete", "1"])
            #expect(result.stdout == "deleted 1 (<far@nowhere.test>)\n")
            result = try tresor(data, ["queue", "delete", "2", "--bounce"])
            #expect(result.stdout == "failed 2 (<away@nowhere.test>): the sender will get a DSN\n")
            #expect(try tresor(data, ["queue", "delete", "1"]).status == 1)
            #expect(try tresor(data, ["queue", "list"]).stdout == "nothing waits in the queue\n")
            result = try tresor(data, ["queue", "list", "--all"])
            #expect(result.stdout.hasPrefix("2  failed  attempts=1  anna@example.org -> away@nowhere.test"), "\(result.stdout)")
            #expect(try tresor(data, ["queue", "show", "2"]).stdout.contains("Bounce:       pending\n"))

            let audit = try tresor(data, ["audit"]).stdout
            for action in ["queue list", "queue show", "queue retry", "queue delete"] {
                #expect(audit.contains(action), "audit lacks \(action)")
            }
            #expect(audit.contains("(as ops)  queue list"))
        }
    }
}
