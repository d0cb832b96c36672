import Foundation
import ServerKit
import Testing
import TestSupport
@testable import MailServer

/// `tresor serve` as an operator runs it: one server per data directory, bind errors that name the
/// listener, a certificate that a client on the loopback address can check.
@Suite struct ServeLifecycleTests {
    /// A data directory with alice@localhost and a `tresor.toml` for it, every listener on port 0;
    /// `extra` goes after the listener keys (top-level keys, then tables).
    static func prepare(_ folder: URL, name: String = "tresor.toml", extra: String = "") async throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = try await ServerHarness.makeDataDirectory(in: folder, users: [("alice@localhost", "correct horse")])
        let config = folder.appendingPathComponent(name)
        try Data(ServeProcess.configuration(dataDirectory: data.path, hostname: "mx.lifecycle.test", tables: extra).utf8)
            .write(to: config)
        return config
    }

    /// `tresor serve --config PATH` to its end: status and standard error.
    static func serveUntilExit(_ config: URL) async throws -> CommandResult {
        try await ChildProcess.run([CommandRunner.executable("tresor").path, "serve", "--config", config.path,
                                    "--log-level", "error"])
    }

    @Test func aSecondServeOnTheSameDataDirectoryIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let config = try await Self.prepare(folder)
            let first = try await ServeProcess.start(config: config)
            defer { first.killIfRunning() }
            let second = try await Self.serveUntilExit(config)
            #expect(second.status != 0)
            #expect(!second.stdout.contains("ready"), "\(second.stdout)")
            #expect(second.stderr.contains("serve.lock"), "\(second.stderr)")
            #expect(second.stderr.contains("process \(first.process.processIdentifier)"), "\(second.stderr)")
            #expect(await first.stop(SIGTERM) == 0)
            // The lock dies with its holder: the next start works.
            let again = try await ServeProcess.start(config: config)
            #expect(await again.stop(SIGTERM) == 0)
        }
    }

    @Test func aPortClashNamesTheListenerAndItsAddress() async throws {
        try await withTemporaryDirectory { folder in
            let first = try await ServeProcess.start(config: try await Self.prepare(
                folder.appendingPathComponent("one", isDirectory: true)))
            defer { first.killIfRunning() }
            let taken = try #require(first.ports["imap"])
            let second = try await Self.prepare(folder.appendingPathComponent("two", isDirectory: true),
                                                extra: "[imap]\nport = \(taken)\n")
            // The generated configuration already says imap.port = 0; replace that line.
            var text = try String(contentsOf: second, encoding: .utf8)
            text = text.replacingOccurrences(of: "imap.port = 0\n", with: "")
            try Data(text.utf8).write(to: second)
            let result = try await Self.serveUntilExit(second)
            #expect(result.status != 0)
            #expect(!result.stdout.contains("ready"), "\(result.stdout)")
            #expect(result.stderr.contains("imap listener 127.0.0.1:\(taken): "), "\(result.stderr)")
            #expect(await first.stop(SIGTERM) == 0)
        }
    }

    /// The generated certificate names the host name, localhost, 127.0.0.1 and ::1: Python's
    /// checks (RFC 6125) pass for each, and fail for a name it does not carry.
    @Test func theSelfSignedCertificateNamesTheLoopbackAddresses() async throws {
        let check = #"""
import socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
for name in sys.argv[3:]:
    ctx = ssl.create_default_context(cafile=cafile)
    try:
        with socket.create_connection(('127.0.0.1', port)) as raw:
            with ctx.wrap_socket(raw, server_hostname=name):
                print(name, 'ok')
    except ssl.SSLCertVerificationError:
        print(name, 'refused')
"""#
        try await ServerHarness.with(users: []) { harness in
            let output = try await ChildProcess.python(check, [
                String(harness.imaps), harness.certificate.path, "mx.tresor.test", "localhost", "127.0.0.1", "::1",
                "other.test",
            ])
            #expect(output.split(separator: "\n") == [
                "mx.tresor.test ok", "localhost ok", "127.0.0.1 ok", "::1 ok", "other.test refused",
            ])
        }
    }
}
