import Crypto
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tresor status`: what it reports, and that it changes nothing.
@Suite struct StatusCommandTests {
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin)
    }

    /// Every file under `folder` (relative path) with the SHA-256 of its bytes.
    static func snapshot(_ folder: URL) throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let relative = String(url.path.dropFirst(folder.path.count))
            files[relative] = SHA256.hash(data: try Data(contentsOf: url)).map { String(format: "%02x", $0) }.joined()
        }
        return files
    }

    static func message(_ subject: String) -> [UInt8] {
        Array("From: x@example.org\r\nTo: a@localhost\r\nSubject: \(subject)\r\nDate: Thu, 2 Jan 2025 09:00:00 +0000\r\n\r\nhello\r\n".utf8)
    }

    @Test func reportsTheDataDirectoryAsJSONAndWritesNothing() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["import", "-"], stdin: Self.message("one")).status == 0)
            #expect(try tresor(dir, ["import", "-"], stdin: Self.message("two")).status == 0)
            let data = dir.appendingPathComponent("data")
            let before = try Self.snapshot(data)

            let result = try tresor(dir, ["status", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            // Byte for byte the same files, and no new one (no -wal, -shm or serve.lock appeared).
            #expect(try Self.snapshot(data) == before)

            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let server = try #require(json["server"] as? [String: Any])
            #expect(server["running"] as? Bool == false)
            let listeners = try #require(json["listeners"] as? [[String: Any]])
            #expect(Set(listeners.compactMap { $0["name"] as? String })
                    == ["smtp", "submission", "submissions", "pop3", "pop3s", "imap", "imaps", "managesieve"])
            let queue = try #require(json["queue"] as? [String: Int])
            #expect(queue == ["queued": 0, "sending": 0, "delivered": 0, "failed": 0])
            let archive = try #require(json["archive"] as? [String: Any])
            #expect(archive["segments"] as? Int == 1)
            #expect(archive["sealedSegments"] as? Int == 0)
            #expect(archive["messages"] as? Int == 2)
            #expect((archive["bytes"] as? Int ?? 0) > 0)
            #expect(archive["lastSeal"] is NSNull)
            let index = try #require(json["fullTextIndex"] as? [String: Any])
            #expect(index["current"] as? Bool == true)
            #expect(index["lag"] as? Int == 0)
            let anchoring = try #require(json["anchoring"] as? [String: Any])
            #expect(anchoring["authorities"] as? Int == 0)
            #expect(anchoring["due"] as? Bool == false)
            #expect(json["domains"] as? Int == 1)
        }
    }

    /// After a server was killed, the catalog's last transactions are in its WAL: status reads them
    /// (from a copy outside the data directory) and still changes no byte there.
    @Test func afterAKilledServerStatusSeesTheWALAndWritesNothing() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["user", "add", "a@localhost", "--password-stdin"], stdin: Array("secret\n".utf8)).status == 0)
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.status.test").utf8).write(to: config)
            let serve = try await ServeProcess.start(config: config)
            defer { serve.killIfRunning() }
            _ = try await ChildProcess.python("""
                import smtplib, sys
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
                    s.sendmail("x@example.org", ["a@localhost"], "Subject: wal\\r\\n\\r\\nhello\\r\\n")
                """, ["\(try #require(serve.ports["smtp"]))"])
            #expect(await serve.stop(SIGKILL) == SIGKILL)
            let data = dir.appendingPathComponent("data")
            let before = try Self.snapshot(data)
            let result = try tresor(dir, ["status", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try Self.snapshot(data) == before)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect((json?["archive"] as? [String: Any])?["deliveries"] as? Int == 1)
        }
    }

    /// A server announces itself by an exclusive flock on DATA/serve.lock; status sees it held,
    /// and sees it released, without taking it.
    @Test func aHeldServeLockMeansAServerIsRunning() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            let lock = dir.appendingPathComponent("data/serve.lock").path
            let fd = open(lock, O_RDWR | O_CREAT, 0o644)
            #expect(fd >= 0)
            defer { close(fd) }
            #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
            let running = try tresor(dir, ["status"])
            #expect(running.status == 0, "\(running.stderr)")
            #expect(running.stdout.contains("server:         running"))
            #expect(flock(fd, LOCK_UN) == 0)
            let stopped = try tresor(dir, ["status", "--json"])
            let json = try JSONSerialization.jsonObject(with: Data(stopped.stdout.utf8)) as? [String: Any]
            #expect((json?["server"] as? [String: Any])?["running"] as? Bool == false)
            // The lock was not kept: a server could take it right away.
            #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        }
    }
}
