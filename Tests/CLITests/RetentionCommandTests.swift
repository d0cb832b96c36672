import Foundation
import Testing
import TestSupport

/// `tresor retention` as an administrator runs it: check, list, apply (dry run, time travel, purge),
/// four-eyes plans and locked policies.
@Suite struct RetentionCommandTests {
    static func message(_ tag: String, subject: String, date: String, from: String = "anna@example.com") -> [UInt8] {
        Array("""
            From: <\(from)>\r
            To: <bob@example.org>\r
            Subject: \(subject)\r
            Date: \(date)\r
            Message-ID: <\(tag)@example.com>\r
            \r
            The \(tag) letter.\r

            """.utf8)
    }

    static let letter = message("letter", subject: "Offer", date: "Sun, 15 Mar 2020 10:00:00 +0000")
    /// Long enough (distinct lines that compress poorly) that purging it shrinks its segment by more
    /// than the offset table a compacted segment gains.
    static let newsletter = message("news", subject: "Our news, unsubscribe here", date: "Mon, 6 Jan 2025 08:00:00 +0000",
                                    from: "newsletter@shop.example")
        + Array((1...120).map { "Offer \($0 * 7919 % 10007): item \(String($0 * 104_729, radix: 36)) now \($0 * 31)% off\r\n" }
                    .joined().utf8)

    static let policies = """
        [[policy]]
        name = "letters"
        description = "Commercial letters, HGB §257"
        match = "domain:example.com"
        retain = "6y"
        count_from = "year-end"
        action = "purge"

        [[policy]]
        name = "newsletters"
        match = "from:newsletter@* OR subject:unsubscribe"
        retain = "90d"
        count_from = "message-date"
        action = "purge"

        """

    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil, as person: String = "alice") throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin,
                              environment: TestOperators.environment(dir, as: person))
    }

    /// Adds bob, signed by alice (the first admin `init` made).
    func addBob(_ dir: URL, role: String = "compliance") throws {
        let added = try tresor(dir, ["operator", "add", "bob", "--role", role])
        #expect(added.status == 0, "\(added.stdout)\(added.stderr)")
    }

    /// A data directory with the letter and the newsletter, and the policy folder `pol`.
    func setUp(_ dir: URL, policies: String = Self.policies) throws -> String {
        #expect(try tresor(dir, ["init"]).status == 0)
        for raw in [Self.letter, Self.newsletter] {
            let imported = try tresor(dir, ["import", "-"], stdin: raw)
            #expect(imported.status == 0, "\(imported.stderr)")
        }
        let folder = dir.appendingPathComponent("pol", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try policies.write(to: folder.appendingPathComponent("mail.toml"), atomically: true, encoding: .utf8)
        return folder.path
    }

    func id(_ dir: URL, _ query: String) throws -> String {
        let found = try tresor(dir, ["search", query, "--json"])
        let hits = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]]
        return try #require(hits?.first?["id"] as? String)
    }

    func count(_ dir: URL, _ query: String) throws -> String {
        try tresor(dir, ["search", query, "--count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func checkNamesFileLineAndProblemAndAcceptsGoodFiles() async throws {
        try await withTemporaryDirectory { dir in
            let folder = try setUp(dir)
            let good = try tresor(dir, ["retention", "check", "--policies", folder])
            #expect(good.status == 0, "\(good.stderr)")
            #expect(good.stdout.contains("ok: 2 policies in 1 file(s)"))
            try "[[policy]]\nname = \"x\"\nmatch = \"to:\"\nretain = \"6 years\"\ncount_from = \"archived\"\naction = \"purge\"\n"
                .write(to: dir.appendingPathComponent("pol/broken.toml"), atomically: true, encoding: .utf8)
            let bad = try tresor(dir, ["retention", "check", "--policies", folder])
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("\(folder)/broken.toml:3: policy \"x\": match: "))
            #expect(bad.stderr.contains("\(folder)/broken.toml:4: policy \"x\": retain: \"6 years\" is not a period"))
        }
    }

    @Test func listShowsWhatEachPolicyGovernsAndTheNextExpiry() async throws {
        try await withTemporaryDirectory { dir in
            let folder = try setUp(dir)
            let list = try tresor(dir, ["retention", "list", "--policies", folder, "--as-of", "2025-02-01", "--json"])
            #expect(list.status == 0, "\(list.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["name"] as? String } == ["letters", "newsletters"])
            #expect(rows[0]["governs"] as? Int == 1 && rows[0]["nextExpiry"] as? String == "2027-01-01T00:00:00Z")
            #expect(rows[0]["oldest"] as? String == "2020-03-15T10:00:00Z")
            #expect(rows[1]["governs"] as? Int == 1 && rows[1]["due"] as? Int == 0)
            #expect(rows[1]["nextExpiry"] as? String == "2025-04-06T08:00:00Z")
            let table = try tresor(dir, ["retention", "list", "--policies", folder, "--as-of", "2025-02-01"])
            #expect(table.stdout.contains("letters") && table.stdout.contains("2027-01-01"))
            // A listing shows counts, no message, and stores nothing: not even an audit entry.
            let audit = try tresor(dir, ["audit"])
            #expect(!audit.stdout.contains("retention list"))
        }
    }

    @Test func dryRunTravelsInTime() async throws {
        try await withTemporaryDirectory { dir in
            let folder = try setUp(dir)
            let letter = try id(dir, "subject:offer")
            let before = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder, "--as-of", "2026-12-31"])
            #expect(before.status == 0, "\(before.stderr)")
            #expect(!before.stdout.contains(letter))
            #expect(before.stdout.contains("1 message(s) due"))  // the newsletter, long expired
            let after = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder, "--as-of", "2027-01-02"])
            #expect(after.stdout.contains("would purge 2 message(s):"), "\(after.stdout)")
            // One row per message: id, date, sender, subject, policy, action and when the period ended.
            let row = after.stdout.split(separator: "\n").first { $0.contains(letter.prefix(12)) }.map(String.init) ?? ""
            for field in ["2020-03-15 10:00", "anna@example.com", "Offer", "letters", "purge", "2027-01-01"] {
                #expect(row.contains(field), "\(field) missing from \(row)")
            }
            #expect(after.stdout.contains("Our news, unsubscribe here") && after.stdout.contains("newsletter@shop.example"))
            #expect(after.stdout.contains("2 message(s) due") && after.stdout.contains("dry run: nothing purged"))
            #expect(try count(dir, "subject:offer") == "1")
            let badDate = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder, "--as-of", "2027-02-30"])
            #expect(badDate.status != 0 && badDate.stderr.contains("--as-of"))
        }
    }

    /// Runs `tresor ARGUMENTS` on a pseudo-terminal (Python's pty), answers `answer` to its question
    /// and returns everything it wrote, then its exit status on the last line.
    func onTerminal(_ dir: URL, _ arguments: [String], answer: String) async throws -> String {
        var environment = TestOperators.environment(dir)
        environment["TRESOR_DATA_DIR"] = dir.appendingPathComponent("data").path
        let script = """
            import json, os, pty, sys
            argv, env, answer = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
            pid, fd = pty.fork()
            if pid == 0:
                os.execve(argv[0], argv, {**os.environ, **env})
            out = b""
            def read(until=None):
                global out
                while until is None or until not in out:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    out += chunk
            read(b"[y/N]")
            os.write(fd, answer.encode() + b"\\n")
            read()
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace") + "\\nstatus " + str(os.waitstatus_to_exitcode(status)) + "\\n")
            """
        let argv = [CommandRunner.executable("tresor").path] + arguments
        let encode = { (value: Any) in String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self) }
        return try await ChildProcess.python(script, [try encode(argv), try encode(environment), answer])
    }

    @Test func applyAsksOnATerminalAndPurgesOnlyWhenTheAnswerIsYes() async throws {
        try await withTemporaryDirectory { dir in
            let folder = try setUp(dir)
            let declined = try await onTerminal(dir, ["retention", "apply", "--policies", folder], answer: "n")
            #expect(declined.contains("to purge 1 message(s):") && declined.contains("Our news, unsubscribe here"), "\(declined)")
            #expect(declined.contains("not confirmed") && declined.hasSuffix("status 1\n"), "\(declined)")
            #expect(try count(dir, "subject:unsubscribe") == "1")
            let confirmed = try await onTerminal(dir, ["retention", "apply", "--policies", folder], answer: "y")
            #expect(confirmed.contains("purged 1 message(s)") && confirmed.hasSuffix("status 0\n"), "\(confirmed)")
            #expect(try count(dir, "subject:unsubscribe") == "0")
        }
    }

    /// The shipped policy folder of the repository.
    static var shippedPolicies: URL { Corpus.repositoryRoot.appendingPathComponent("retention-policies", isDirectory: true) }

    @Test func listAndCheckLeaveTheCatalogByteIdenticalWithALockedExampleCopiedIn() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir)
            let folder = dir.appendingPathComponent("trial", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in ["default.toml", "examples/commercial-letters.toml"] {
                let source = Self.shippedPolicies.appendingPathComponent(file)
                try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(source.lastPathComponent))
            }
            let catalog = dir.appendingPathComponent("data/catalog.sqlite")
            let before = try Data(contentsOf: catalog)
            let list = try tresor(dir, ["retention", "list", "--policies", folder.path])
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.contains("commercial-letters") && list.stdout.contains("yes"), "\(list.stdout)")
            let check = try tresor(dir, ["retention", "check", "--policies", folder.path])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(try Data(contentsOf: catalog) == before, "the catalog changed")
            // No side file appeared either: with no server running, the catalog is read immutable.
            for suffix in ["-wal", "-shm"] {
                #expect(!FileManager.default.fileExists(atPath: catalog.path + suffix), "catalog.sqlite\(suffix) created")
            }
            // The lock was not stored: without the example, the folder is still accepted.
            try FileManager.default.removeItem(at: folder.appendingPathComponent("commercial-letters.toml"))
            let after = try tresor(dir, ["retention", "check", "--policies", folder.path])
            #expect(after.status == 0 && after.stdout.contains("0 locked policies"), "\(after.stdout)\(after.stderr)")
        }
    }

    @Test func theShippedDefaultGivesWayToAPurgePolicyForImportedMail() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            // Imported today, received in 2020 by its Received: trace.
            let old = Array("""
                Received: from relay.example.com by mx.example.org; Sun, 1 Mar 2020 09:30:00 +0000\r
                From: <newsletter@shop.example>\r
                To: <bob@example.org>\r
                Subject: Spring sale\r
                Date: Sun, 1 Mar 2020 09:00:00 +0000\r
                Message-ID: <sale@shop.example>\r
                \r
                Everything must go.\r

                """.utf8)
            for raw in [old, Self.letter] { #expect(try tresor(dir, ["import", "-"], stdin: raw).status == 0) }
            let folder = dir.appendingPathComponent("pol", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in ["default.toml", "examples/newsletters.toml"] {
                let source = Self.shippedPolicies.appendingPathComponent(file)
                try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(source.lastPathComponent))
            }
            let list = try tresor(dir, ["retention", "list", "--policies", folder.path])
            #expect(list.status == 0, "\(list.stderr)")
            let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            // keep-everything (fallback): MATCHES 2, GOVERNS 1; newsletters: MATCHES 1, GOVERNS 1, DUE 1.
            #expect(rows.contains { $0.first == "keep-everything" && $0[1] == "(fallback)" && $0[6] == "2" && $0[7] == "1" },
                    "\(list.stdout)")
            #expect(rows.contains { $0.first == "newsletters" && $0[5] == "1" && $0[6] == "1" && $0[9] == "1" },
                    "\(list.stdout)")
            #expect(list.stdout.contains("keep-everything matches 2, governs 1; of the other 1, newsletters governs 1"),
                    "\(list.stdout)")
            #expect(list.stdout.contains("1 due, 0 held"))
            let dry = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder.path])
            #expect(dry.stdout.split(separator: "\n").contains { $0.contains("Spring sale") && $0.contains("newsletters") },
                    "\(dry.stdout)")
        }
    }

    @Test func theListsHeaderAndTableCountDueAndHeldAlike() async throws {
        try await withTemporaryDirectory { dir in
            let folder = try setUp(dir)
            #expect(try tresor(dir, ["hold", "add", "case", "--query", "subject:unsubscribe", "--reason", "r"]).status == 0)
            // As of 2027-01-02 both messages are due; the hold keeps the newsletter.
            let list = try tresor(dir, ["retention", "list", "--policies", folder, "--as-of", "2027-01-02"])
            #expect(list.stdout.contains("1 due, 1 held"), "\(list.stdout)")
            let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            let due = rows.filter { ["letters", "newsletters"].contains($0.first ?? "") }.map { ($0[9], $0[10]) }
            #expect(due.map(\.0) == ["1", "0"] && due.map(\.1) == ["0", "1"], "\(list.stdout)")
        }
    }

    /// RFC 5322 date-time of `date` in UTC.
    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss +0000"
        return formatter.string(from: date)
    }

    @Test func applyPurgesWhatTheRealClockSaysIsDueAndRefusesTimeTravel() async throws {
        try await withTemporaryDirectory { dir in
            let folder = try setUp(dir)
            // Written a month ago: under "letters" (6 years from the end of its year) never due in this test.
            let recent = Self.message("recent", subject: "Recent order", date: Self.rfc5322(Date().addingTimeInterval(-30 * 86_400)))
            #expect(try tresor(dir, ["import", "-"], stdin: recent).status == 0)
            let newsletter = try id(dir, "subject:unsubscribe")

            let travel = try tresor(dir, ["retention", "apply", "--yes", "--policies", folder, "--as-of", "2099-01-01"])
            #expect(travel.status != 0)
            #expect(travel.stderr.contains("--as-of previews another day and needs --dry-run"), "\(travel.stderr)")
            #expect(try count(dir, "subject:recent") == "1" && count(dir, "subject:unsubscribe") == "1")
            let preview = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder, "--as-of", "2099-01-01"])
            #expect(preview.status == 0 && preview.stdout.contains("dry run: nothing purged"), "\(preview.stderr)")
            #expect(try count(dir, "subject:recent") == "1")

            // Without a terminal to ask on, and without --yes, nothing is purged.
            let unconfirmed = try tresor(dir, ["retention", "apply", "--policies", folder], stdin: [])
            #expect(unconfirmed.status == 1 && unconfirmed.stderr.contains("--yes"), "\(unconfirmed.stderr)")
            #expect(unconfirmed.stdout.contains("to purge 1 message(s):") && unconfirmed.stdout.contains(newsletter.prefix(12)))
            #expect(try count(dir, "subject:unsubscribe") == "1")
            // It listed senders and subjects, so the trail records the run that purged nothing.
            #expect(try tresor(dir, ["audit"]).stdout.contains("retention apply not confirmed"))

            let purged = try tresor(dir, ["retention", "apply", "--yes", "--policies", folder])
            #expect(purged.status == 0, "\(purged.stderr)")
            #expect(purged.stdout.contains("purged 1 message(s):"), "\(purged.stdout)")
            #expect(purged.stdout.split(separator: "\n").contains {
                $0.contains(newsletter.prefix(12)) && $0.contains("newsletters") && $0.contains("Our news")
            }, "\(purged.stdout)")
            #expect(try count(dir, "subject:unsubscribe") == "0")
            #expect(try count(dir, "subject:recent") == "1")
            let reclaimed = purged.stdout.split(separator: "\n").first { $0.hasPrefix("purged ") && $0.contains("bytes reclaimed") }?
                .split(separator: ";").dropFirst().first?.split(separator: " ").first.flatMap { Int($0) }
            #expect((reclaimed ?? 0) > 0, "\(purged.stdout)")
            let verify = try tresor(dir, ["verify"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("policies: newsletters"), "\(verify.stdout)")
            let audit = try tresor(dir, ["audit"]).stdout
            #expect(audit.contains("retention apply") && audit.contains("retention purge"))
        }
    }

    @Test func withRequireApprovalAPlanNeedsASecondPerson() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir)
            try addBob(dir)
            let config = dir.appendingPathComponent("tresor.toml")
            try "retention_policies = \"pol\"\n\n[retention]\nrequire_approval = true\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let apply = try tresor(dir, ["retention", "apply", "--yes", "--config", config.path])
            #expect(apply.status == 0, "\(apply.stderr)")
            #expect(try count(dir, "subject:unsubscribe") == "1")
            let plan = try #require(apply.stdout.split(separator: "\n").first { $0.hasPrefix("plan ") }?
                .split(separator: " ").dropFirst().first.map(String.init))
            #expect(apply.stdout.contains("tresor retention approve \(plan)"))

            let same = try tresor(dir, ["retention", "approve", plan, "--config", config.path])
            #expect(same.status == 1 && same.stderr.contains("a different person must approve it"))
            let approved = try tresor(dir, ["retention", "approve", plan, "--config", config.path], as: "bob")
            #expect(approved.status == 0, "\(approved.stderr)")
            #expect(approved.stdout.contains("(by operator:alice) approved by operator:bob (os ")
                        && approved.stdout.contains("purged 1 message(s)"), "\(approved.stdout)")
            #expect(try count(dir, "subject:unsubscribe") == "0")
            #expect(try count(dir, "subject:offer") == "1")
            let plans = try tresor(dir, ["retention", "plans"])
            #expect(plans.stdout.contains("\(plan) executed, made by operator:alice")
                        && plans.stdout.contains("decided by operator:bob"), "\(plans.stdout)")
        }
    }

    @Test func aPlanExpiresWhenMailArrives() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir)
            try addBob(dir)
            let config = dir.appendingPathComponent("tresor.toml")
            try "retention_policies = \"pol\"\n[retention]\nrequire_approval = true\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let apply = try tresor(dir, ["retention", "apply", "--yes", "--config", config.path])
            let plan = try #require(apply.stdout.split(separator: "\n").first { $0.hasPrefix("plan ") }?
                .split(separator: " ").dropFirst().first.map(String.init))
            _ = try tresor(dir, ["import", "-"], stdin: Self.message("late", subject: "Late", date: "Mon, 6 Jan 2025 08:00:00 +0000"))
            let approve = try tresor(dir, ["retention", "approve", plan, "--config", config.path], as: "bob")
            #expect(approve.status == 1 && approve.stderr.contains("plan expired"))
            #expect(try count(dir, "subject:unsubscribe") == "1")
        }
    }

    @Test func aLockedPolicyCannotBeShortenedOnceLoaded() async throws {
        try await withTemporaryDirectory { dir in
            let locked = Self.policies.replacingOccurrences(of: "action = \"purge\"\n\n[[policy]]\nname = \"newsletters\"",
                                                             with: "action = \"purge\"\nlocked = true\n\n[[policy]]\nname = \"newsletters\"")
            let folder = try setUp(dir, policies: locked)
            // A listing, a check and a dry run compare the locked policy with the catalog but store
            // nothing; `retention lock` stores it.
            for command in [["list"], ["check"], ["apply", "--dry-run"]] {
                #expect(try tresor(dir, ["retention"] + command + ["--policies", folder]).status == 0)
            }
            try locked.replacingOccurrences(of: "retain = \"6y\"", with: "retain = \"2y\"")
                .write(to: dir.appendingPathComponent("pol/mail.toml"), atomically: true, encoding: .utf8)
            #expect(try tresor(dir, ["retention", "list", "--policies", folder]).status == 0)
            let unlocked = try tresor(dir, ["retention", "lock", "newsletters", "--policies", folder])
            #expect(unlocked.status == 1 && unlocked.stderr.contains("is not locked"), "\(unlocked.stderr)")
            try locked.write(to: dir.appendingPathComponent("pol/mail.toml"), atomically: true, encoding: .utf8)
            let lock = try tresor(dir, ["retention", "lock", "letters", "--policies", folder])
            #expect(lock.status == 0 && lock.stdout.contains("locked policy letters remembered"), "\(lock.stdout)\(lock.stderr)")
            let again = try tresor(dir, ["retention", "lock", "letters", "--policies", folder])
            #expect(again.status == 0 && again.stdout.contains("already remembered"), "\(again.stdout)\(again.stderr)")
            #expect(try tresor(dir, ["audit"]).stdout.contains("retention lock"))
            try locked.replacingOccurrences(of: "retain = \"6y\"", with: "retain = \"2y\"")
                .write(to: dir.appendingPathComponent("pol/mail.toml"), atomically: true, encoding: .utf8)
            for command in ["check", "list", "apply"] {
                let refused = try tresor(dir, ["retention", command, "--policies", folder])
                #expect(refused.status == 1, "\(command)")
                #expect(refused.stderr.contains("\(folder)/mail.toml:1: locked policy \"letters\" is refused: "
                                                + "retain shortened from 6y to 2y while 1 message(s) it governs exist"))
            }
            #expect(try count(dir, "subject:offer") == "1")
        }
    }

    @Test func theConfigurationNamesTheFolderAndBadSettingsAreErrors() async throws {
        try await withTemporaryDirectory { dir in
            let folder = try setUp(dir)
            let config = dir.appendingPathComponent("tresor.toml")
            try "retention_policies = \"pol\"\n[retention]\nplan_time = \"25:00\"\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let badTime = try tresor(dir, ["retention", "check", "--config", config.path])
            #expect(badTime.status == 1 && badTime.stderr.contains(":3: retention.plan_time: must be a UTC time of day"))
            try "retention_policies = \"missing\"\n".write(to: config, atomically: true, encoding: .utf8)
            let missing = try tresor(dir, ["retention", "check", "--config", config.path])
            #expect(missing.status == 1 && missing.stderr.contains("missing: no such folder"))
            try "retention_policies = \"pol\"\n[retention]\nauto_purge = false\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let good = try tresor(dir, ["retention", "check", "--config", config.path])
            #expect(good.status == 0 && good.stdout.contains("\(folder)/mail.toml:1: letters"), "\(good.stderr)")
        }
    }

    @Test func serveRefusesToStartWithAnInvalidPolicy() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir, policies: "[[policy]]\nname = \"x\"\nmatch = \"*\"\nretain = \"forever\"\n"
                              + "count_from = \"archived\"\naction = \"keep\"\n")
            var text = "retention_policies = \"pol\"\n"
            for listener in ["smtp", "submission", "submissions", "pop3", "pop3s", "imap", "imaps", "managesieve"] {
                text += "[\(listener)]\nport = 0\n"
            }
            let config = dir.appendingPathComponent("tresor.toml")
            try text.write(to: config, atomically: true, encoding: .utf8)
            let serve = try tresor(dir, ["serve", "--config", config.path])
            #expect(serve.status != 0)
            #expect(serve.stderr.contains("mail.toml:4: policy \"x\": retain: \"forever\" is not a period"), "\(serve.stderr)")
            #expect(!serve.stdout.contains("ready"))
        }
    }

    /// Received on 2024-03-01 by its Received: trace; one says Date: 1995, the other year 1.
    static func tracedMessage(_ tag: String, date: String) -> [UInt8] {
        Array("""
            Received: from relay.example.com by mx.example.org; Fri, 1 Mar 2024 09:30:00 +0000\r
            From: <anna@example.com>\r
            To: <bob@example.org>\r
            Subject: Contract \(tag)\r
            Date: \(date)\r
            Message-ID: <\(tag)@example.com>\r
            \r
            The \(tag) contract.\r

            """.utf8)
    }

    static let lockedTenYears = """
        [[policy]]
        name = "contracts"
        match = "subject:contract"
        retain = "10y"
        count_from = "year-end"
        action = "purge"
        locked = true

        """

    @Test func aLockedPolicysFloorKeepsMailWhateverItsDateThePolicyFilesOrTheCatalogSay() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            let folder = dir.appendingPathComponent("pol", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let policyFile = folder.appendingPathComponent("contracts.toml")
            try Self.lockedTenYears.write(to: policyFile, atomically: true, encoding: .utf8)
            // The catalog learns the locked policy; mail arriving from now on is stamped with its floor.
            #expect(try tresor(dir, ["retention", "lock", "contracts", "--policies", folder.path]).status == 0)
            for (tag, date) in [("nineties", "Tue, 3 Jan 1995 10:00:00 +0000"), ("yearone", "Sat, 29 Oct 0001 14:15:47 -0800")] {
                let imported = try tresor(dir, ["import", "-"], stdin: Self.tracedMessage(tag, date: date))
                #expect(imported.status == 0, "\(imported.stderr)")
            }
            let nineties = try id(dir, "subject:nineties"), yearOne = try id(dir, "subject:yearone")

            let shown = try tresor(dir, ["show", yearOne])
            #expect(shown.stdout.contains("Date:        0001-10-29T22:15:47Z"), "\(shown.stdout)")
            #expect(shown.stdout.contains("Received:    2024-03-01T09:30:00Z from received-field"), "\(shown.stdout)")
            #expect(shown.stdout.contains("Floor:       kept until 2035-01-01T00:00:00Z by locked policy \"contracts\""),
                    "\(shown.stdout)")
            let json = try tresor(dir, ["search", "subject:contract", "--json"])
            let hits = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            #expect(hits.count == 2 && hits.allSatisfy {
                $0["receivedAt"] as? String == "2024-03-01T09:30:00Z" && $0["receivedFrom"] as? String == "received-field"
            }, "\(json.stdout)")
            #expect(json.stdout.contains("\"date\" : \"0001-10-29T22:15:47Z\""), "\(json.stdout)")

            // Either side of 2035-01-01, whatever Date: reads.
            let before = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder.path, "--as-of", "2034-12-31"])
            #expect(before.status == 0 && before.stdout.contains("0 message(s) due"), "\(before.stdout)\(before.stderr)")
            let after = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder.path, "--as-of", "2035-01-02"])
            for message in [nineties, yearOne] {
                #expect(after.stdout.split(separator: "\n").contains {
                    $0.contains(message.prefix(12)) && $0.contains("contracts") && $0.contains("2035-01-01")
                }, "\(after.stdout)")
            }
            let list = try tresor(dir, ["retention", "list", "--policies", folder.path])
            #expect(list.stdout.contains("contracts [policy text ") && list.stdout.contains("2 message(s) kept until 2035-01-01"),
                    "\(list.stdout)")
            let travel = try tresor(dir, ["retention", "apply", "--yes", "--policies", folder.path, "--as-of", "2036-01-01"])
            #expect(travel.status != 0 && travel.stderr.contains("needs --dry-run"))

            // Someone with a shell edits the policy to one year, unlocked, and deletes the catalog's
            // record of the lock so that the edit is accepted: the floors in the archive still hold.
            try Self.lockedTenYears.replacingOccurrences(of: "retain = \"10y\"", with: "retain = \"1y\"")
                .replacingOccurrences(of: "locked = true\n", with: "")
                .write(to: policyFile, atomically: true, encoding: .utf8)
            let catalog = dir.appendingPathComponent("data/catalog.sqlite").path
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM retention_lock'); c.commit()",
                [catalog])
            let edited = try tresor(dir, ["retention", "apply", "--yes", "--policies", folder.path])
            #expect(edited.status == 0, "\(edited.stderr)")
            #expect(try count(dir, "subject:contract") == "2", "\(edited.stdout)")
            #expect(edited.stdout.contains("floor") || edited.stdout.contains("0 message(s) due"), "\(edited.stdout)")

            // And with the catalog's floor rows deleted too: the archive's envelope records carry them.
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM retention_floor'); c.commit()",
                [catalog])
            // The purge then stops at the lock the archive's governance records name (the floors in
            // the envelope records would be the next line of defence).
            let bare = try tresor(dir, ["retention", "apply", "--yes", "--policies", folder.path])
            #expect(bare.status != 0 && bare.stderr.contains("locked policy contracts is missing from the catalog"),
                    "\(bare.stdout)\(bare.stderr)")
            #expect(try count(dir, "subject:contract") == "2")
            let noticed = try tresor(dir, ["verify"])
            #expect(noticed.status != 0 && noticed.stdout.contains("retention floor"), "\(noticed.stdout)")
            // reindex brings the floors back into the catalog from the archive.
            #expect(try tresor(dir, ["reindex"]).status == 0)
            let restored = try tresor(dir, ["show", nineties])
            #expect(restored.stdout.contains("Floor:       kept until 2035-01-01"), "\(restored.stdout)")
            let verify = try tresor(dir, ["verify"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        }
    }

    @Test func approvalLivesInTheDataDirectoryAndOnlyASecondPersonSwitchesItOff() async throws {
        try await withTemporaryDirectory { dir in
            _ = try setUp(dir)
            try addBob(dir, role: "admin")
            let config = dir.appendingPathComponent("tresor.toml")
            try "retention_policies = \"pol\"\n[retention]\nrequire_approval = true\n"
                .write(to: config, atomically: true, encoding: .utf8)
            // One run with the configuration switches it on for good ...
            let planned = try tresor(dir, ["retention", "apply", "--yes", "--config", config.path])
            #expect(planned.status == 0 && planned.stdout.contains("plan "), "\(planned.stdout)\(planned.stderr)")
            // ... so a run from another folder, without the file, still only plans.
            let elsewhere = try tresor(dir, ["retention", "apply", "--yes", "--policies", dir.appendingPathComponent("pol").path,
                                             ])
            #expect(elsewhere.status == 0 && elsewhere.stdout.contains("plan "), "\(elsewhere.stdout)\(elsewhere.stderr)")
            #expect(try count(dir, "subject:unsubscribe") == "1")
            let shown = try tresor(dir, ["retention", "protection"])
            #expect(shown.stdout.contains("require_approval = true"), "\(shown.stdout)")

            // A configuration saying false is noted, not obeyed.
            try "retention_policies = \"pol\"\n[retention]\nrequire_approval = false\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let ignored = try tresor(dir, ["retention", "apply", "--yes", "--config", config.path])
            #expect(ignored.stdout.contains("plan ") && ignored.stderr.contains("requires approval"), "\(ignored.stderr)")

            // Switching off is a proposal; its maker cannot approve it, a second person can.
            let proposed = try tresor(dir, ["retention", "protection", "--require-approval", "off"])
            #expect(proposed.status == 0, "\(proposed.stderr)")
            let proposal = try #require(proposed.stdout.split(separator: " ").dropFirst().first.map(String.init))
            #expect(proposal.hasPrefix("protect-"), "\(proposed.stdout)")
            #expect(try tresor(dir, ["retention", "protection"]).stdout.contains("require_approval = true"))
            let same = try tresor(dir, ["retention", "approve", proposal])
            #expect(same.status != 0 && same.stderr.contains("a different person must approve it"), "\(same.stderr)")
            let approved = try tresor(dir, ["retention", "approve", proposal], as: "bob")
            #expect(approved.status == 0, "\(approved.stderr)")
            #expect(try tresor(dir, ["retention", "protection"]).stdout.contains("require_approval = false"))
            let purged = try tresor(dir, ["retention", "apply", "--yes", "--policies", dir.appendingPathComponent("pol").path,
                                          ])
            #expect(purged.status == 0 && purged.stdout.contains("purged "), "\(purged.stdout)\(purged.stderr)")
            let audit = try tresor(dir, ["audit"]).stdout
            #expect(audit.contains("protection proposal") && audit.contains("protection"))

            // The setting is journaled: a catalog edited by hand is caught by verify and undone by reindex.
            let catalog = dir.appendingPathComponent("data/catalog.sqlite").path
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('UPDATE protection_setting SET require_approval = 1'); c.commit()",
                [catalog])
            let caught = try tresor(dir, ["verify"])
            #expect(caught.status != 0 && caught.stdout.contains("protection:"), "\(caught.stdout)")
            #expect(try tresor(dir, ["reindex"]).status == 0)
            #expect(try tresor(dir, ["verify"]).status == 0)
        }
    }
}
