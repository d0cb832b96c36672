import Foundation
import Testing
import TestSupport

/// `[metrics]` on the real `tresor serve`: `/metrics` answers in the Prometheus text format over
/// HTTP (fetched with Python's urllib, a client independent of ours), and its counters move after
/// a delivery, a refusal and logins.
@Suite struct MetricsEndpointTests {
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin)
    }

    /// GETs a path; prints the status code, a blank line, then the body.
    static let fetch = """
        import sys, urllib.request, urllib.error
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=30) as r:
                print(r.status); print(r.headers.get("Content-Type")); print(r.read().decode())
        except urllib.error.HTTPError as e:
            print(e.code); print(e.headers.get("Content-Type")); print("")
        """

    /// One message to a@localhost, one to an unknown local user (550 5.1.1), then a good and a bad
    /// IMAP login.
    static let traffic = """
        import imaplib, smtplib, sys
        smtp, imap = int(sys.argv[1]), int(sys.argv[2])
        with smtplib.SMTP("127.0.0.1", smtp) as s:
            s.sendmail("x@example.org", ["a@localhost"], "Subject: counted\\r\\n\\r\\nhello\\r\\n")
            try:
                s.sendmail("x@example.org", ["nobody@localhost"], "Subject: refused\\r\\n\\r\\nhello\\r\\n")
            except smtplib.SMTPRecipientsRefused:
                pass
        m = imaplib.IMAP4("127.0.0.1", imap); m.login("a@localhost", "secret"); m.logout()
        m = imaplib.IMAP4("127.0.0.1", imap)
        try:
            m.login("a@localhost", "wrong")
        except imaplib.IMAP4.error:
            pass
        """

    /// The value of one sample line (`name{labels} value`); 0 when the series is absent.
    static func sample(_ text: String, _ series: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? -1
        }
        return 0
    }

    @Test func countersMoveAfterADeliveryARefusalAndLogins() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["user", "add", "a@localhost", "--password-stdin"], stdin: Array("secret\n".utf8)).status == 0)
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.metrics.test",
                                                tables: "[metrics]\nenabled = true\nport = 0\n").utf8).write(to: config)
            let serve = try await ServeProcess.start(config: config)
            defer { serve.killIfRunning() }
            let port = try #require(serve.ports["metrics"])

            let before = try await ChildProcess.python(Self.fetch, ["\(port)", "/metrics"])
            let lines = before.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
            #expect(lines.first == "200")
            #expect(lines.dropFirst().first?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(Self.sample(before, "tresor_messages_received_total{listener=\"smtp\"}") == 0)
            #expect(before.contains("tresor_outbound_queue{state=\"queued\"} 0"))

            _ = try await ChildProcess.python(Self.traffic, ["\(try #require(serve.ports["smtp"]))",
                                                             "\(try #require(serve.ports["imap"]))"])
            let after = try await ChildProcess.python(Self.fetch, ["\(port)", "/metrics"])
            #expect(Self.sample(after, "tresor_messages_received_total{listener=\"smtp\"}") == 1, "\(after)")
            #expect(Self.sample(after, "tresor_messages_refused_total{listener=\"smtp\",stage=\"recipient\"}") == 1)
            #expect(Self.sample(after, "tresor_logins_total{protocol=\"imap\",result=\"ok\"}") == 1)
            #expect(Self.sample(after, "tresor_logins_total{protocol=\"imap\",result=\"failed\"}") == 1)
            #expect(Self.sample(after, "tresor_connections_total{listener=\"smtp\",admitted=\"yes\"}") == 1)
            #expect(Self.sample(after, "tresor_connections_total{listener=\"imap\",admitted=\"yes\"}") == 2)

            let missing = try await ChildProcess.python(Self.fetch, ["\(port)", "/other"])
            #expect(missing.hasPrefix("404\n"))
            // A client that connects and says nothing is let go by the server (recv sees the end),
            // and does not hold up SIGTERM.
            let idle = try await ChildProcess.python("""
                import socket, sys
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                s.settimeout(120)
                print(repr(s.recv(100)))
                """, ["\(port)"])
            #expect(idle.trimmingCharacters(in: .whitespacesAndNewlines) == "b''", "\(idle)")
            #expect(await serve.stop(SIGTERM) == 0)
        }
    }
}
