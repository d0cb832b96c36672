import Foundation
import Testing
import TestSupport

/// `tresor export` and `tresor verify-export` driven as a user drives them.
@Suite struct ExportCommandTests {
    static let messages = [
        "From: Anna <anna@example.com>\r\nTo: bob@example.org\r\nSubject: contract signed\r\nDate: Tue, 1 Jul 2025 10:00:00 +0200\r\nMessage-ID: <e1@example.com>\r\n\r\nFrom now on the contract holds.\r\n",
        "From: Bob <bob@example.org>\r\nTo: anna@example.com\r\nSubject: Re: contract signed\r\nDate: Wed, 2 Jul 2025 10:00:00 +0200\r\nMessage-ID: <e2@example.org>\r\n\r\n>From your message: fine.\r\n",
        "From: news@example.net\r\nTo: anna@example.com\r\nSubject: newsletter\r\nDate: Thu, 3 Jul 2025 10:00:00 +0200\r\n\r\nnothing to see\r\n",
    ]

    func tresor(_ dataDir: URL, _ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path],
                              environment: TestOperators.environment(dataDir.deletingLastPathComponent()))
    }

    /// An initialised data directory with the three messages imported.
    func withArchive(_ body: (URL, URL) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try tresor(data, ["init"]).status == 0)
            let mail = dir.appendingPathComponent("mail")
            try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
            for (n, message) in Self.messages.enumerated() {
                try Data(message.utf8).write(to: mail.appendingPathComponent("\(n).eml"))
            }
            let imported = try tresor(data, ["import", mail.path])
            #expect(imported.status == 0, "\(imported.stderr)")
            try await body(data, dir)
        }
    }

    @Test func exportThenVerifyAnywhere() async throws {
        try await withArchive { data, dir in
            let out = dir.appendingPathComponent("contract-export")
            let exported = try tresor(data, ["export", "--query", "contract", "--format", "mbox", "--out", out.path,
                                             "--actor", "counsel"])
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(exported.stdout.contains("exported 2 messages"))
            #expect(exported.stdout.contains("tresor verify-export \(out.path)"))
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("INCOMPLETE").path))

            // verify-export needs no data directory.
            let verified = try CommandRunner.run("tresor", ["verify-export", out.path])
            #expect(verified.status == 0, "\(verified.stdout)")
            #expect(verified.stdout.contains("OK: signature, checksums, manifest and counts check out"))
            #expect(verified.stdout.contains("compare it with the archive's published public key"))
            let withKey = try CommandRunner.run("tresor", ["verify-export", out.path, "--public-key",
                                                           data.appendingPathComponent("keys/archive.ed25519.pub").path])
            #expect(withKey.status == 0 && withKey.stdout.contains("signed by the given archive key"))

            let audit = try tresor(data, ["audit", "--json"])
            #expect(audit.stdout.contains("\"export\"") && audit.stdout.contains("query=contract"))

            // A changed message: verify-export fails and names the file.
            let mbox = out.appendingPathComponent("messages/export.mbox")
            let text = try String(contentsOf: mbox, encoding: .utf8).replacingOccurrences(of: "holds", with: "lapsed")
            try text.write(to: mbox, atomically: false, encoding: .utf8)
            let failed = try CommandRunner.run("tresor", ["verify-export", out.path])
            #expect(failed.status == 1)
            #expect(failed.stdout.contains("FAIL messages/export.mbox: changed"))
        }
    }

    @Test func emptyExportSaysSoAndVerifies() async throws {
        try await withArchive { data, dir in
            let out = dir.appendingPathComponent("empty")
            let exported = try tresor(data, ["export", "--query", "subject:nonexistent", "--format", "maildir", "--out", out.path])
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(exported.stdout.contains("0 messages to export: wrote an empty, valid export"))
            let verified = try CommandRunner.run("tresor", ["verify-export", out.path])
            #expect(verified.status == 0, "\(verified.stdout)")
        }
    }

    @Test func refusalsNameTheProblem() async throws {
        try await withArchive { data, dir in
            let taken = dir.appendingPathComponent("mail")  // holds the imported .eml files
            let refused = try tresor(data, ["export", "--query", "contract", "--out", taken.path])
            #expect(refused.status != 0 && refused.stderr.contains("exists and is not empty"))
            #expect(try tresor(data, ["export", "--format", "eml"]).stderr.contains("exactly one of --query, --mailbox, --case"))
            #expect(try tresor(data, ["export", "--query", "a", "--folder", "INBOX"]).stderr.contains("--folder needs --mailbox"))
            #expect(try tresor(data, ["export", "--query", "a", "--format", "pdf"]).status != 0)
            let unknown = try tresor(data, ["export", "--mailbox", "ghost@example.com", "--out", dir.appendingPathComponent("g").path])
            #expect(unknown.status != 0 && unknown.stderr.contains("ghost@example.com"))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("g").path))
            // A folder still marked INCOMPLETE (an interrupted export) is refused, whatever else is there.
            let out = dir.appendingPathComponent("x")
            #expect(try tresor(data, ["export", "--query", "contract", "--out", out.path]).status == 0)
            try Data().write(to: out.appendingPathComponent("INCOMPLETE"))
            let interrupted = try CommandRunner.run("tresor", ["verify-export", out.path])
            #expect(interrupted.status == 1 && interrupted.stdout.contains("FAIL INCOMPLETE: the export is incomplete"))
            let missing = try CommandRunner.run("tresor", ["verify-export", dir.appendingPathComponent("none").path])
            #expect(missing.status == 1 && missing.stdout.contains("no such folder"))
        }
    }

    @Test func caseExportAfterAHold() async throws {
        try await withArchive { data, dir in
            let hold = try tresor(data, ["hold", "add", "Acme v. Example", "--query", "subject:contract",
                                         "--reason", "litigation hold"])
            #expect(hold.status == 0, "\(hold.stderr)")
            let out = dir.appendingPathComponent("acme")
            let exported = try tresor(data, ["export", "--case", "Acme v. Example", "--format", "eml", "--out", out.path])
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(exported.stdout.contains("exported 2 messages"))
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("export.json")))
                as? [String: Any]
            let selection = record?["selection"] as? [String: Any]
            #expect(selection?["kind"] as? String == "case" && selection?["query"] as? String == "subject:contract")
            #expect((selection?["legal_hold"] as? [String: Any])?["reason"] as? String == "litigation hold")
            let verified = try CommandRunner.run("tresor", ["verify-export", out.path])
            #expect(verified.status == 0 && verified.stdout.contains("legal hold Acme v. Example"), "\(verified.stdout)")
            let unknown = try tresor(data, ["export", "--case", "No such case", "--out", dir.appendingPathComponent("n").path])
            #expect(unknown.status != 0 && unknown.stderr.contains("no legal hold named"))
        }
    }
}
