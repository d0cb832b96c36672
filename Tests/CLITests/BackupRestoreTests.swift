import Foundation
import Testing
import TestSupport

/// `tresor backup` of a data directory while the real server takes mail over SMTP, and
/// `tresor restore` of it into a new folder, checked the way an administrator would: `verify`,
/// search, an IMAP login, flags and legal holds.
@Suite struct BackupRestoreTests {
    func tresor(_ dir: URL, _ arguments: [String], data: String = "data", stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent(data).path], stdin: stdin,
                              environment: TestOperators.environment(dir))
    }

    /// Sends messages `first..<last` to a@localhost, one SMTP transaction each, and prints
    /// `INDEX TIME` (wall-clock seconds) as each is acknowledged with 250.
    static let sender = """
        import smtplib, sys, time
        port, first, last = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        with smtplib.SMTP("127.0.0.1", port) as s:
            for i in range(first, last):
                body = f"From: x@example.org\\r\\nTo: a@localhost\\r\\nSubject: backup-{i}\\r\\n\\r\\nbody {i}\\r\\n"
                s.sendmail("x@example.org", ["a@localhost"], body)
                print(i, time.time(), flush=True)
        """

    /// Logs in as a@localhost over IMAP and prints the subjects of the \\Flagged messages of INBOX,
    /// one a line; with "flag SUBJECT" first, flags that message.
    static let imapClient = """
        import imaplib, sys
        port = int(sys.argv[1])
        m = imaplib.IMAP4("127.0.0.1", port)
        m.login("a@localhost", "secret")
        m.select("INBOX")
        if len(sys.argv) > 3 and sys.argv[2] == "flag":
            typ, data = m.search(None, "SUBJECT", sys.argv[3])
            for n in data[0].split():
                m.store(n, "+FLAGS", "(\\\\Flagged)")
        typ, data = m.search(None, "FLAGGED")
        for n in data[0].split():
            typ, parts = m.fetch(n, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            print(parts[0][1].decode().strip().removeprefix("Subject: "))
        m.logout()
        """

    /// `tresor restore BACKUP NEWDIR`, which takes no --data-dir.
    func restore(_ dir: URL, _ backup: URL, into target: URL) throws -> CommandResult {
        try CommandRunner.run("tresor", ["restore", backup.path, target.path], environment: TestOperators.environment(dir))
    }

    func writeConfiguration(_ dir: URL, data: String, name: String) throws -> URL {
        let config = dir.appendingPathComponent(name)
        try Data(ServeProcess.configuration(dataDirectory: data, hostname: "mx.backup.test").utf8).write(to: config)
        return config
    }

    @Test func backupDuringDeliveryRestoresEveryAcknowledgedMessageFlagsAndHolds() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["user", "add", "a@localhost", "--password-stdin"], stdin: Array("secret\n".utf8)).status == 0)
            let serve = try await ServeProcess.start(config: try writeConfiguration(dir, data: "data", name: "tresor.toml"))
            defer { serve.killIfRunning() }
            let smtp = try #require(serve.ports["smtp"]), imap = try #require(serve.ports["imap"])

            // Before the backup: mail, a flag set over IMAP and a legal hold.
            let early = try await ChildProcess.python(Self.sender, ["\(smtp)", "0", "20"])
            #expect(early.split(separator: "\n").count == 20)
            let flagged = try await ChildProcess.python(Self.imapClient, ["\(imap)", "flag", "backup-3"])
            #expect(flagged.split(separator: "\n") == ["backup-3"])
            let hold = try tresor(dir, ["hold", "add", "case-b", "--query", "subject:backup-5", "--reason", "litigation"])
            #expect(hold.status == 0, "\(hold.stderr)")

            // The backup runs while the next messages are being delivered.
            let late = Task { try await ChildProcess.python(Self.sender, ["\(smtp)", "20", "80"]) }
            let backupStarted = Date().timeIntervalSince1970
            let backup = try await ChildProcess.run([
                CommandRunner.executable("tresor").path, "backup", dir.appendingPathComponent("backup").path,
                "--data-dir", dir.appendingPathComponent("data").path,
            ])
            #expect(backup.status == 0, "\(backup.stderr)")
            #expect(backup.stdout.contains("backup.json"))
            let acknowledged = (early + (try await late.value)).split(separator: "\n").map { line in
                let fields = line.split(separator: " ")
                return (index: Int(fields[0])!, time: Double(fields[1])!)
            }
            #expect(acknowledged.count == 80)
            #expect(await serve.stop(SIGTERM) == 0)

            // The source's audit trail names the backup.
            #expect(try tresor(dir, ["audit"]).stdout.contains("backup"))

            let restoring = try restore(dir, dir.appendingPathComponent("backup"), into: dir.appendingPathComponent("restored"))
            #expect(restoring.status == 0, "\(restoring.stderr)")
            let verify = try tresor(dir, ["verify"], data: "restored")
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

            // Every message acknowledged before the backup began is in the restored copy.
            let search = try tresor(dir, ["search", "--json", "to:a@localhost"], data: "restored")
            #expect(search.status == 0, "\(search.stderr)")
            let hits = try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [[String: Any]] ?? []
            let subjects = Set(hits.compactMap { $0["subject"] as? String })
            let required = acknowledged.filter { $0.time < backupStarted }.map { "backup-\($0.index)" }
            #expect(required.count >= 20)
            #expect(Set(required).subtracting(subjects).isEmpty, "missing: \(Set(required).subtracting(subjects).sorted())")
            #expect(try tresor(dir, ["audit"], data: "restored").stdout.contains("restore"))

            // The legal hold is there, and so are the user, the password and the flag.
            let holds = try tresor(dir, ["hold", "list"], data: "restored")
            #expect(holds.stdout.contains("case-b"), "\(holds.stdout)")
            let restoredServe = try await ServeProcess.start(config: try writeConfiguration(dir, data: "restored", name: "restored.toml"))
            defer { restoredServe.killIfRunning() }
            let restoredIMAP = try #require(restoredServe.ports["imap"])
            #expect(try await ChildProcess.python(Self.imapClient, ["\(restoredIMAP)"]).split(separator: "\n") == ["backup-3"])
            #expect(await restoredServe.stop(SIGTERM) == 0)
        }
    }

    @Test func restoreRefusesATamperedBackupAndAFolderInUse() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["dkim", "keygen", "example.org", "--algorithm", "ed25519"]).status == 0)
            let backupFolder = dir.appendingPathComponent("backup")
            let backup = try tresor(dir, ["backup", backupFolder.path])
            #expect(backup.status == 0, "\(backup.stderr)")
            // A second backup into the same folder is refused: nothing is ever overwritten.
            #expect(try tresor(dir, ["backup", backupFolder.path]).status != 0)

            // An untouched backup restores; into a folder that holds something, it does not.
            let busy = dir.appendingPathComponent("busy")
            try FileManager.default.createDirectory(at: busy, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: busy.appendingPathComponent("file"))
            #expect(try restore(dir, backupFolder, into: busy).status != 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: busy.path) == ["file"])

            // Restored untouched: it verifies, and the key folders and files keep their modes.
            let clean = dir.appendingPathComponent("clean")
            let restored = try restore(dir, backupFolder, into: clean)
            #expect(restored.status == 0, "\(restored.stderr)")
            #expect(try tresor(dir, ["verify"], data: "clean").status == 0)
            let dkim = clean.appendingPathComponent("keys/dkim/example.org")
            #expect(try FileManager.default.attributesOfItem(atPath: dkim.path)[.posixPermissions] as? Int == 0o700)
            for file in try FileManager.default.contentsOfDirectory(atPath: dkim.path) {
                let mode = try FileManager.default.attributesOfItem(atPath: dkim.appendingPathComponent(file).path)[.posixPermissions]
                #expect(mode as? Int == 0o600, "\(file)")
            }

            // One byte changed in a segment: refused, naming the file, and nothing is written.
            let segment = backupFolder.appendingPathComponent("archive/segment-00000001.tsa")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: segment.path)
            var bytes = try Data(contentsOf: segment)
            bytes[bytes.count - 10] ^= 0x01
            try bytes.write(to: segment)
            let target = dir.appendingPathComponent("restored")
            let refused = try restore(dir, backupFolder, into: target)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("archive/segment-00000001.tsa"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target.path))
        }
    }
}
