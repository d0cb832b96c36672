import Foundation
import ServerKit
import Testing
import TestSupport
@testable import MailServer

/// `tresor serve` as an operator runs it: one server per data directory, bind errors that name the
/// listener, SIGHUP that renews the certificate without dropping anyone, a certificate that a
/// client on the loopback address can check.
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

    static func policy(retain: String) -> String {
        """
        [[policy]]
        name = "all-mail"
        description = "every message, locked"
        match = "*"
        retain = "\(retain)"
        count_from = "received"
        action = "purge"
        locked = true

        """
    }

    /// A locked policy shortened while it governs a message stops the start before `ready` (and
    /// before any listener), not after.
    @Test func aRetentionRefusalComesBeforeReady() async throws {
        try await withTemporaryDirectory { folder in
            let policies = folder.appendingPathComponent("policies", isDirectory: true)
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            let file = policies.appendingPathComponent("all.toml")
            try Data(Self.policy(retain: "10y").utf8).write(to: file)
            let config = try await Self.prepare(folder, extra: "retention_policies = \"\(policies.path)\"\n")
            let first = try await ServeProcess.start(config: config)
            defer { first.killIfRunning() }
            _ = try await ChildProcess.python("""
                import smtplib, sys
                s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
                s.sendmail('a@remote.test', ['alice@localhost'], b'Subject: kept\\r\\n\\r\\nbody\\r\\n')
                s.quit()
                """, [String(try #require(first.ports["smtp"]))])
            #expect(await first.stop(SIGTERM) == 0)

            try Data(Self.policy(retain: "1y").utf8).write(to: file)
            let second = try await Self.serveUntilExit(config)
            #expect(second.status != 0)
            #expect(!second.stdout.contains("ready") && !second.stdout.contains("listening"), "\(second.stdout)")
            #expect(second.stderr.contains("all-mail"), "\(second.stderr)")
        }
    }

    /// A reload that cannot read a part keeps that part as it was and says why; the next good
    /// reload takes the new state.
    @Test func aFailedReloadKeepsTheOldState() async throws {
        try await withTemporaryDirectory { folder in
            let policies = folder.appendingPathComponent("policies", isDirectory: true)
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            try Data(Self.policy(retain: "10y").utf8).write(to: policies.appendingPathComponent("all.toml"))
            var configuration = ServerHarness.configuration()
            configuration.retention.policiesFolder = policies
            try await ServerHarness.with(users: [], configuration: configuration) { harness in
                try Data("[[policy]]\nname = \"broken\"\n".utf8).write(to: policies.appendingPathComponent("bad.toml"))
                try FileManager.default.removeItem(at: TLSMaterial.keyURL(in: harness.dataDirectory))
                let failed = try #require(await harness.server.reload())
                #expect(failed.certificate.failed)
                #expect(failed.policies.failed)
                #expect(!failed.sieve.failed)
                // The old certificate still serves new connections.
                let presented = try await ChildProcess.python("""
                    import ssl, sys
                    print(ssl.get_server_certificate(('127.0.0.1', int(sys.argv[1]))) == open(sys.argv[2]).read())
                    """, [String(harness.imaps), harness.certificate.path])
                #expect(presented.contains("True"), "\(presented)")

                try FileManager.default.removeItem(at: policies.appendingPathComponent("bad.toml"))
                let renewed = try SelfSignedCertificate.generate(hostname: "mx.renewed.test")
                try Data(renewed.keyPEM.utf8).write(to: TLSMaterial.keyURL(in: harness.dataDirectory))
                try Data(renewed.certificatePEM.utf8).write(to: harness.certificate)
                let good = try #require(await harness.server.reload())
                #expect(!good.certificate.failed && !good.policies.failed && !good.sieve.failed)
            }
        }
    }

    /// An IMAP client over implicit TLS, checking the certificate it was given and the host name
    /// 127.0.0.1: logs in, IDLEs, says "idling", waits for a line on its input, ends the IDLE
    /// and sends NOOP; prints the tagged IDLE answer and NOOP's status.
    static let idler = #"""
import imaplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
i = imaplib.IMAP4_SSL('127.0.0.1', port, ssl_context=ctx)
i.login('alice@localhost', 'correct horse')
i.select('INBOX')
tag = i._new_tag().decode()
i.send(('%s IDLE\r\n' % tag).encode())
assert i.readline().startswith(b'+'), 'no continuation'
print('idling', flush=True)
sys.stdin.readline()
i.send(b'DONE\r\n')
while True:
    line = i.readline()
    if not line or line.startswith(tag.encode()): break
print(line.decode().strip(), flush=True)
print(i.noop()[0], flush=True)
i.logout()
"""#

    /// Which of two certificate files the server at a port presents now: "first", "second" or "other".
    static let presented = #"""
import ssl, sys
port, first, second = int(sys.argv[1]), sys.argv[2], sys.argv[3]
der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(('127.0.0.1', port)))
names = {ssl.PEM_cert_to_DER_cert(open(first).read()): 'first', ssl.PEM_cert_to_DER_cert(open(second).read()): 'second'}
print(names.get(der, 'other'))
"""#

    @Test func sighupSwapsTheCertificateWithoutDroppingAnIdleSession() async throws {
        try await withTemporaryDirectory { folder in
            let config = try await Self.prepare(folder, extra: "log_format = \"json\"\n")
            let data = folder.appendingPathComponent("data")
            let log = Pipe()
            let serve = try await ServeProcess.start(config: config, logLevel: "info",
                                                     standardError: log.fileHandleForWriting)
            defer { serve.killIfRunning() }
            let lines = ChildProcess.lines(of: log.fileHandleForReading)
            let imaps = try #require(serve.ports["imaps"])
            let certificate = TLSMaterial.certificateURL(in: data), key = TLSMaterial.keyURL(in: data)
            let firstCopy = folder.appendingPathComponent("first.pem")
            try FileManager.default.copyItem(at: certificate, to: firstCopy)

            let idler = SpawnedProcess()
            idler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            idler.arguments = ["python3", "-c", Self.idler, String(imaps), firstCopy.path]
            let input = Pipe(), output = Pipe()
            idler.standardInput = input
            idler.standardOutput = output
            try idler.run()
            defer { if idler.isRunning { kill(idler.processIdentifier, SIGKILL) } }
            var said = ChildProcess.lines(of: output.fileHandleForReading).makeAsyncIterator()
            #expect(await said.next() == "idling")

            // The renewed pair, written where the server found the first, then SIGHUP.
            let renewed = try SelfSignedCertificate.generate(hostname: "mx.renewed.test")
            try Data(renewed.keyPEM.utf8).write(to: key)
            try Data(renewed.certificatePEM.utf8).write(to: certificate)
            kill(serve.process.processIdentifier, SIGHUP)
            var reload: [String: Any]?
            var parts: Set<String> = []
            for await line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                                          "not JSON: \(line)")
                guard let message = object["message"] as? String, message.hasPrefix("reload: ") else { continue }
                parts.insert(message)
                if message == "reload: TLS certificate" { reload = object["metadata"] as? [String: Any] }
                if parts.count == 3 { break }
            }
            #expect(parts == ["reload: TLS certificate", "reload: retention policies", "reload: sieve scripts"])
            #expect(reload?["result"] as? String == "reloaded", "\(String(describing: reload))")

            let now = try await ChildProcess.python(Self.presented, [String(imaps), firstCopy.path, certificate.path])
            #expect(now.trimmingCharacters(in: .whitespacesAndNewlines) == "second")

            // The session that started before the reload goes on.
            input.fileHandleForWriting.write(Data("go\n".utf8))
            let idleEnd = await said.next()
            #expect(idleEnd?.contains(" OK") == true, "\(String(describing: idleEnd))")
            #expect(await said.next() == "OK")
            #expect(await ChildProcess.exit(of: idler) == 0)
            #expect(await serve.stop(SIGTERM) == 0)
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
