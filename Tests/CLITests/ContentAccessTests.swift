import Foundation
import Testing
import TestSupport

/// With the protection setting `require_operator`, reading message content at the command line
/// takes an active operator's key, and the audit entries of the read carry that operator's
/// signature, which `tresor audit --verify` checks; switching it off needs a second admin.
@Suite struct ContentAccessTests {
    static let letter = Array("""
        From: Anna <anna@example.com>\r
        To: Ben <ben@example.com>\r
        Subject: The contract draft\r
        Message-ID: <contract@example.com>\r
        Date: Mon, 2 Jun 2025 10:00:00 +0000\r
        \r
        Clause 7 stays as agreed.\r

        """.utf8)

    /// `tresor ARGS --data-dir DIR/data` as `person` (their key, the shared passphrase), or, with
    /// `person` nil, as the OS account alone (no operator named anywhere).
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil, as person: String? = "alice") throws
        -> CommandResult
    {
        var environment = TestOperators.environment(dir, as: person ?? "alice")
        if person == nil { environment["TRESOR_OPERATOR"] = "" }
        return try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path],
                                     stdin: stdin, environment: environment)
    }

    @Test func contentReadsNeedAnOperatorWhoseKeySignsTheRead() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["operator", "add", "bob", "--role", "admin"]).status == 0)
            #expect(try tresor(dir, ["operator", "add", "carol", "--role", "auditor"]).status == 0)
            #expect(try tresor(dir, ["import", "-"], stdin: Self.letter).status == 0)
            let found = try tresor(dir, ["search", "subject:contract", "--json"])
            let hits = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]]
            let id = try #require(hits?.first?["id"] as? String)

            // Off by default: the OS account reads, as before.
            #expect(try tresor(dir, ["show", id, "--raw"], as: nil).stdoutBytes == Self.letter)

            let raised = try tresor(dir, ["retention", "protection", "--require-operator", "on"])
            #expect(raised.status == 0 && raised.stdout.contains("require_operator = true"), "\(raised.stdout)\(raised.stderr)")

            // Without an operator: refused, and the refusal is in the trail. A summary needs none.
            let anonymous = try tresor(dir, ["show", id, "--raw"], as: nil)
            #expect(anonymous.status != 0 && anonymous.stdout.isEmpty, "\(anonymous.stdout)")
            #expect(anonymous.stderr.contains("requires an operator"), "\(anonymous.stderr)")
            #expect(try tresor(dir, ["show", id], as: nil).status == 0)
            let refusedExport = try tresor(dir, ["export", "--query", "subject:contract", "--out",
                                                 dir.appendingPathComponent("refused").path], as: nil)
            #expect(refusedExport.status != 0, "\(refusedExport.stdout)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("refused/export.json").path))

            // An operator with their key: the read works and its entry is signed.
            let read = try tresor(dir, ["show", id, "--text"], as: "carol")
            #expect(read.status == 0 && read.stdout.contains("Clause 7"), "\(read.stderr)")
            let exported = try tresor(dir, ["export", "--query", "subject:contract", "--out",
                                            dir.appendingPathComponent("case").path], as: "carol")
            #expect(exported.status == 0, "\(exported.stderr)")
            let log = try tresor(dir, ["audit"])
            #expect(log.stdout.contains("content read refused"), "\(log.stdout)")
            #expect(log.stdout.contains("operator:carol"), "\(log.stdout)")
            let verified = try tresor(dir, ["audit", "--verify"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            #expect(verified.stdout.contains("signed by operators"), "\(verified.stdout)")

            // A revoked operator's key no longer reads.
            #expect(try tresor(dir, ["operator", "revoke", "carol", "--reason", "left the firm"]).status == 0)
            let revoked = try tresor(dir, ["show", id, "--raw"], as: "carol")
            #expect(revoked.status != 0 && revoked.stderr.contains("revoked"), "\(revoked.stderr)")

            // Editing a signed entry's detail in the catalog is altered; the archive's copy still verifies.
            let catalog = dir.appendingPathComponent("data/catalog.sqlite").path
            _ = try await ChildProcess.python("""
                import sqlite3, sys
                c = sqlite3.connect(sys.argv[1])
                c.execute("UPDATE audit_log SET detail = 'nothing' WHERE signature IS NOT NULL")
                c.commit()
                """, [catalog])
            let edited = try tresor(dir, ["audit", "--verify"])
            #expect(edited.status != 0 && edited.stdout.contains("ALTERED"), "\(edited.stdout)")

            // Switching it off is a proposal that a different admin approves.
            let proposed = try tresor(dir, ["retention", "protection", "--require-operator", "off"])
            #expect(proposed.status == 0 && proposed.stdout.contains("proposal"), "\(proposed.stdout)\(proposed.stderr)")
            #expect(try tresor(dir, ["retention", "protection"]).stdout.contains("require_operator = true"))
            let proposal = try #require(proposed.stdout.split(separator: " ").dropFirst().first.map(String.init))
            #expect(try tresor(dir, ["retention", "approve", proposal], as: "bob").status == 0)
            #expect(try tresor(dir, ["show", id, "--raw"], as: nil).stdoutBytes == Self.letter)
        }
    }
}
