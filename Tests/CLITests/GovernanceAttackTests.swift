import Foundation
import Testing
import TestSupport

/// What one person with a shell and their own operator key tries against the record: deleting a
/// hold (and its audit rows) from the catalog, approving their own purge, acting as someone else,
/// acting after being revoked, or beyond their role. Each is refused or found by `tresor verify`.
@Suite struct GovernanceAttackTests {
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil, as person: String = "alice",
                passphrase: String = TestOperators.passphrase) throws -> CommandResult {
        var environment = TestOperators.environment(dir, as: person)
        environment["TRESOR_PASSPHRASE"] = passphrase
        return try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path],
                                     stdin: stdin, environment: environment)
    }

    func sql(_ dir: URL, _ statement: String) async throws {
        _ = try await ChildProcess.python(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
            [dir.appendingPathComponent("data/catalog.sqlite").path, statement])
    }

    func count(_ dir: URL, _ query: String) throws -> String {
        try tresor(dir, ["search", query, "--count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A data directory (alice its first admin), two expired messages, a one-year policy in `pol`.
    func setUp(_ dir: URL) throws -> String {
        let initialised = try tresor(dir, ["init"])
        #expect(initialised.status == 0 && initialised.stdout.contains("Operator alice added: admin"),
                "\(initialised.stdout)\(initialised.stderr)")
        for (tag, from) in [("held", "mallory@acme.example"), ("free", "trent@other.example")] {
            let raw = RetentionCommandTests.message(tag, subject: "Case \(tag)", date: "Thu, 2 Jan 2020 09:00:00 +0000",
                                                    from: from)
            #expect(try tresor(dir, ["import", "-"], stdin: raw).status == 0)
        }
        let folder = dir.appendingPathComponent("pol", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "[[policy]]\nname = \"all\"\nmatch = \"*\"\nretain = \"1y\"\ncount_from = \"message-date\"\naction = \"purge\"\n"
            .write(to: folder.appendingPathComponent("all.toml"), atomically: true, encoding: .utf8)
        return folder.path
    }

    @Test func aHoldDeletedFromTheCatalogStillKeepsItsMailAndVerifyNamesIt() async throws {
        try await withTemporaryDirectory { dir in
            let policies = try setUp(dir)
            let hold = try tresor(dir, ["hold", "add", "acme", "--query", "from:mallory@acme.example", "--reason", "lawsuit"])
            #expect(hold.status == 0, "\(hold.stderr)")
            #expect(try tresor(dir, ["verify"]).status == 0)

            // The hold's row and the audit rows that mention it go.
            try await sql(dir, "DELETE FROM legal_hold")
            try await sql(dir, "DELETE FROM audit_log WHERE action LIKE 'hold%'")
            let apply = try tresor(dir, ["retention", "apply", "--yes", "--policies", policies])
            #expect(apply.status != 0 && apply.stderr.contains("hold acme (active) is missing from the catalog"),
                    "\(apply.stdout)\(apply.stderr)")
            #expect(try count(dir, "subject:held") == "1" && count(dir, "subject:free") == "1")

            let verify = try tresor(dir, ["verify"])
            #expect(verify.status != 0 && verify.stdout.contains("hold acme (active) is missing from the catalog"),
                    "\(verify.stdout)")
            // The deleted audit rows are named too: later events are listed, so no crash explains them.
            #expect(verify.stdout.contains("FINDING audit: event") && verify.stdout.contains("hold add"), "\(verify.stdout)")
            let trail = try tresor(dir, ["audit", "--verify"])
            #expect(trail.status != 0 && trail.stdout.contains("REMOVED") && trail.stdout.contains("hold add"), "\(trail.stdout)")

            // reindex rebuilds the hold from the archive's governance record; the purge then spares it.
            #expect(try tresor(dir, ["reindex"]).status == 0)
            let restored = try tresor(dir, ["hold", "show", "acme"])
            #expect(restored.stdout.contains("status: active") && restored.stdout.contains("by operator:alice"),
                    "\(restored.stdout)")
            let again = try tresor(dir, ["retention", "apply", "--yes", "--policies", policies])
            #expect(again.status == 0 && again.stdout.split(separator: "\n").contains { $0.hasSuffix("  acme") },
                    "\(again.stdout)\(again.stderr)")
            #expect(try count(dir, "subject:held") == "1" && count(dir, "subject:free") == "0")
            let after = try tresor(dir, ["verify"])
            #expect(after.status == 0, "\(after.stdout)")
        }
    }

    @Test func aHoldNarrowedInTheCatalogIsFound() async throws {
        try await withTemporaryDirectory { dir in
            let policies = try setUp(dir)
            #expect(try tresor(dir, ["hold", "add", "acme", "--query", "from:mallory@acme.example", "--reason", "r"]).status == 0)
            try await sql(dir, "UPDATE legal_hold SET query = 'from:nobody@nowhere.example'")
            let apply = try tresor(dir, ["retention", "apply", "--yes", "--policies", policies])
            #expect(apply.status != 0 && apply.stderr.contains("hold acme differs"), "\(apply.stderr)")
            #expect(try count(dir, "subject:held") == "1")
            let verify = try tresor(dir, ["verify"])
            #expect(verify.status != 0 && verify.stdout.contains("hold acme differs"), "\(verify.stdout)")
        }
    }

    /// Copy HEAD and the segments, archive three more messages, put the copies back: the chain
    /// alone is consistent again, but the catalog remembers the deliveries the archive lost.
    /// The full-text index is derived, but a message missing from it cannot be found by its words:
    /// emptying the index, or taking one message's document out, is named by verify.
    @Test func aMessageTakenOutOfTheFullTextIndexIsFound() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir)
            #expect(try tresor(dir, ["verify"]).status == 0)
            try await sql(dir, "DELETE FROM message_fts_docsize WHERE id = (SELECT id FROM message WHERE subject = 'Case held')")
            let one = try tresor(dir, ["verify"])
            #expect(one.status != 0 && one.stdout.contains("1 message(s) have no document"), "\(one.stdout)")
            try await sql(dir, "INSERT INTO message_fts(message_fts) VALUES ('delete-all')")
            #expect(try count(dir, "held") == "0")
            let all = try tresor(dir, ["verify"])
            #expect(all.status != 0 && all.stdout.contains("2 message(s) have no document"), "\(all.stdout)")
            #expect(try tresor(dir, ["reindex"]).status == 0)
            #expect(try tresor(dir, ["verify"]).status == 0)
            #expect(try count(dir, "held") == "1")
        }
    }

    @Test func anArchiveRolledBackBehindTheCatalogIsFound() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir)
            let archive = dir.appendingPathComponent("data/archive")
            let copy = dir.appendingPathComponent("archive-copy")
            try FileManager.default.copyItem(at: archive, to: copy)
            for tag in ["late1", "late2", "late3"] {
                let raw = RetentionCommandTests.message(tag, subject: "Late \(tag)", date: "Fri, 4 Dec 2026 09:00:00 +0000")
                #expect(try tresor(dir, ["import", "-"], stdin: raw).status == 0)
            }
            try FileManager.default.removeItem(at: archive)
            try FileManager.default.copyItem(at: copy, to: archive)

            let verify = try tresor(dir, ["verify"])
            #expect(verify.status != 0, "\(verify.stdout)")
            #expect(verify.stdout.contains("catalog"), "\(verify.stdout)")
            let late = try tresor(dir, ["search", "subject:late1", "--json"])
            let hits = try JSONSerialization.jsonObject(with: Data(late.stdout.utf8)) as? [[String: Any]]
            let id = try #require(hits?.first?["id"] as? String, "\(late.stdout)")
            let shown = try tresor(dir, ["show", id, "--raw"])
            #expect(shown.status != 0 && shown.stderr.contains("not in the archive"), "\(shown.stderr)")
        }
    }

    @Test func operatorsCannotStandInForEachOtherOrActBeyondTheirRole() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir)
            #expect(try tresor(dir, ["operator", "add", "bob", "--role", "compliance"]).status == 0)
            #expect(try tresor(dir, ["operator", "add", "carol", "--role", "auditor"]).status == 0)

            // A name without a key, a wrong passphrase, another person's key file under one's own name.
            let nobody = try tresor(dir, ["hold", "add", "x", "--query", "subject:free", "--reason", "r"], as: "mallory")
            #expect(nobody.status != 0 && nobody.stderr.contains("no key for \"mallory\""), "\(nobody.stderr)")
            let guessed = try tresor(dir, ["hold", "add", "x", "--query", "subject:free", "--reason", "r"], as: "bob",
                                     passphrase: "letmein")
            #expect(guessed.status != 0 && guessed.stderr.contains("wrong passphrase"), "\(guessed.stderr)")
            let keys = dir.appendingPathComponent("operators")
            try FileManager.default.copyItem(at: keys.appendingPathComponent("bob.key"),
                                             to: keys.appendingPathComponent("dave.key"))
            let borrowed = try tresor(dir, ["hold", "add", "x", "--query", "subject:free", "--reason", "r"], as: "dave")
            #expect(borrowed.status != 0 && borrowed.stderr.contains("is the key of operator bob, not of dave"),
                    "\(borrowed.stderr)")

            // Roles.
            let auditor = try tresor(dir, ["hold", "add", "x", "--query", "subject:free", "--reason", "r"], as: "carol")
            #expect(auditor.status != 0 && auditor.stderr.contains("places no holds"), "\(auditor.stderr)")
            let notAdmin = try tresor(dir, ["operator", "add", "eve", "--role", "admin"], as: "bob")
            #expect(notAdmin.status != 0 && notAdmin.stderr.contains("only an admin adds operators"), "\(notAdmin.stderr)")
            #expect(try tresor(dir, ["hold", "add", "bobs", "--query", "subject:held", "--reason", "r"], as: "bob").status == 0)

            // Revoked: the key signs nothing any more; the last admin cannot be revoked.
            #expect(try tresor(dir, ["operator", "revoke", "bob", "--reason", "left the company"]).status == 0)
            let revoked = try tresor(dir, ["hold", "release", "bobs", "--reason", "r"], as: "bob")
            #expect(revoked.status != 0 && revoked.stderr.contains("revoked"), "\(revoked.stderr)")
            let lastAdmin = try tresor(dir, ["operator", "revoke", "alice", "--reason", "r"])
            #expect(lastAdmin.status != 0 && lastAdmin.stderr.contains("the last admin cannot be revoked"), "\(lastAdmin.stderr)")
            let list = try tresor(dir, ["operator", "list"]).stdout
            #expect(list.contains("alice\tadmin") && list.contains("bob\tcompliance") && list.contains("revoked "), "\(list)")
            #expect(try tresor(dir, ["hold", "show", "bobs"]).stdout.contains("status: active"))
            let audit = try tresor(dir, ["audit"]).stdout
            #expect(audit.contains("hold add refused") && audit.contains("operator revoke"), "\(audit)")
            #expect(try tresor(dir, ["verify"]).status == 0)
        }
    }

    /// A first operator `init` cannot make (here: a key file asked for inside the data directory)
    /// leaves a usable data directory, a clear error, and the way to make one later.
    @Test func aFirstOperatorInitCannotMakeIsAClearErrorAndCanBeMadeLater() async throws {
        try await withTemporaryDirectory { dir in
            let inside = dir.appendingPathComponent("data/alice.key").path
            let refused = try tresor(dir, ["init", "--key", inside])
            #expect(refused.status != 0 && refused.stderr.contains("no operator was made")
                        && refused.stderr.contains("inside the data directory")
                        && refused.stderr.contains("tresor operator add NAME --role admin"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: inside))
            let raw = RetentionCommandTests.message("after", subject: "After init", date: "Thu, 2 Jan 2020 09:00:00 +0000")
            #expect(try tresor(dir, ["import", "-"], stdin: raw).status == 0)
            let first = try tresor(dir, ["operator", "add", "alice", "--role", "admin"])
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(try tresor(dir, ["hold", "add", "c", "--query", "subject:after", "--reason", "r"]).status == 0)
            #expect(try tresor(dir, ["verify"]).status == 0)
        }
    }

    @Test func anOperatorCannotApproveTheirOwnPlanUnderAnotherName() async throws {
        try await withTemporaryDirectory { dir in
            let policies = try setUp(dir)
            let config = dir.appendingPathComponent("tresor.toml")
            try "retention_policies = \"pol\"\n[retention]\nrequire_approval = true\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let planned = try tresor(dir, ["retention", "apply", "--yes", "--config", config.path])
            let plan = try #require(planned.stdout.split(separator: "\n").first { $0.hasPrefix("plan ") }?
                .split(separator: " ").dropFirst().first.map(String.init), "\(planned.stdout)\(planned.stderr)")
            // The key decides who approves, not a name: alice's key under bob's name is refused ...
            let keys = dir.appendingPathComponent("operators")
            try FileManager.default.copyItem(at: keys.appendingPathComponent("alice.key"),
                                             to: keys.appendingPathComponent("bob.key"))
            let relabelled = try tresor(dir, ["retention", "approve", plan, "--config", config.path], as: "bob")
            #expect(relabelled.status != 0 && relabelled.stderr.contains("is the key of operator alice, not of bob"),
                    "\(relabelled.stderr)")
            // ... and under her own name it is the maker's key.
            let same = try tresor(dir, ["retention", "approve", plan, "--config", config.path])
            #expect(same.status != 0 && same.stderr.contains("a different person must approve it"), "\(same.stderr)")
            // Approval stays required without the configuration file: a run elsewhere only plans.
            let direct = try tresor(dir, ["retention", "apply", "--yes", "--policies", policies])
            #expect(direct.status == 0 && direct.stdout.contains("plan "), "\(direct.stdout)\(direct.stderr)")
            #expect(try count(dir, "subject:free") == "1")
        }
    }
}
