import Foundation
import Testing
import TestSupport

/// `tresor rules` as an administrator uses it: scripts stored, shown, listed, removed, checked
/// and tried on messages, every change in the audit log.
@Suite struct RulesCommandTests {
    func tresor(_ dataDir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path], stdin: stdin)
    }

    /// An initialised data directory with the user bob@example.org.
    func prepare(_ dir: URL) throws -> URL {
        let data = dir.appendingPathComponent("data", isDirectory: true)
        #expect(try tresor(data, ["init"]).status == 0)
        #expect(try tresor(data, ["domain", "add", "example.org"]).status == 0)
        let added = try tresor(data, ["user", "add", "bob@example.org", "--password-stdin"], stdin: Array("pw\n".utf8))
        #expect(added.status == 0, "\(added.stderr)")
        return data
    }

    func write(_ text: String, to url: URL) throws -> URL {
        try Data(text.utf8).write(to: url)
        return url
    }

    /// One rule per thing `rules test` must show; CRLF line ends and a non-ASCII comment, so
    /// that `rules get` must give back the exact bytes.
    static let filters = [
        #"require ["fileinto", "imap4flags", "mailbox", "envelope", "subaddress", "date", "relational"];"#,
        "# Grüße: Bob's filters",
        #"if header :contains "list-id" "dev.lists.example.org" { fileinto :create :flags "\\Seen" "Lists/dev"; stop; }"#,
        #"if header :contains "subject" "spam" { discard; stop; }"#,
        #"if address :is "from" "boss@example.org" { redirect "bob@elsewhere.test"; keep; stop; }"#,
        #"if envelope :detail "to" "shop" { fileinto :create "Shopping"; stop; }"#,
        #"if envelope :is "from" "alerts@monitor.test" { fileinto :create "Alerts"; stop; }"#,
        #"if currentdate :is "year" "1999" { fileinto :create "Past"; stop; }"#,
        #"if header :contains "subject" "nowhere" { fileinto "Nowhere"; }"#,
    ].joined(separator: "\r\n") + "\r\n"

    static func message(from: String, subject: String, extra: String = "") -> String {
        "From: \(from)\r\nTo: bob@example.org\r\nSubject: \(subject)\r\n\(extra)Date: Tue, 1 Jul 2025 10:00:00 +0200\r\n\r\nHello.\r\n"
    }

    @Test func storeShowListTestAndRemoveScripts() async throws {
        try await withTemporaryDirectory { dir in
            let data = try prepare(dir)
            let filters = try write(Self.filters, to: dir.appendingPathComponent("filters.sieve"))
            let spare = try write("keep;", to: dir.appendingPathComponent("spare.txt"))

            var result = try tresor(data, ["rules", "set", "bob@example.org", filters.path, "--actor", "admin"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "stored script \"filters\" for bob@example.org and made it active\n")
            #expect(try tresor(data, ["rules", "list", "bob@example.org"]).stdout == "filters (active)\n")

            // Storing another activates it; storing the first again (same name) replaces and re-activates.
            result = try tresor(data, ["rules", "set", "Bob@Example.org", spare.path, "--name", "spare"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Set(try tresor(data, ["rules", "list", "bob@example.org"]).stdout.split(separator: "\n"))
                    == ["filters", "spare (active)"])
            result = try tresor(data, ["rules", "get", "bob@example.org"])
            #expect(result.stdoutBytes == Array("keep;".utf8), "exactly the stored bytes, no newline added")
            #expect(try tresor(data, ["rules", "set", "bob@example.org", filters.path]).status == 0)
            #expect(Set(try tresor(data, ["rules", "list", "bob@example.org"]).stdout.split(separator: "\n"))
                    == ["filters (active)", "spare"])
            #expect(try tresor(data, ["rules", "get", "bob@example.org"]).stdoutBytes == Array(Self.filters.utf8))
            #expect(try tresor(data, ["rules", "get", "bob@example.org", "--name", "spare"]).stdout == "keep;")
            result = try tresor(data, ["rules", "get", "bob@example.org", "--name", "missing"])
            #expect(result.status == 1 && result.stderr.contains("no script \"missing\""), "\(result.stderr)")

            // What delivery would do, one action per line.
            func test(_ message: String, _ options: [String] = []) throws -> CommandResult {
                let file = try write(message, to: dir.appendingPathComponent("message.eml"))
                return try tresor(data, ["rules", "test", "bob@example.org", file.path] + options)
            }
            let listMail = Self.message(from: "dana@dev.example", subject: "[dev] release",
                                        extra: "List-Id: Developers <dev.lists.example.org>\r\n")
            result = try test(listMail)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "fileinto \"Lists/dev\" :create flags=\\Seen\n")
            #expect(try test(Self.message(from: "anna@example.com", subject: "hello")).stdout == "implicit keep → INBOX\n")
            #expect(try test(Self.message(from: "anna@example.com", subject: "cheap spam")).stdout == "discard\n")
            #expect(try test(Self.message(from: "Boss <boss@example.org>", subject: "report")).stdout
                    == "redirect bob@elsewhere.test\nkeep\n")
            let plain = Self.message(from: "anna@example.com", subject: "hello")
            #expect(try test(plain, ["--to", "bob+shop@example.org"]).stdout == "fileinto \"Shopping\" :create\n")
            // Without --to the envelope recipient is USER as given: a note says no +detail is tested,
            // and USER with a +detail is routed to the user as delivery routes it.
            result = try test(plain)
            #expect(result.stderr.contains("--to"), "\(result.stderr)")
            let file = try write(plain, to: dir.appendingPathComponent("message.eml"))
            result = try tresor(data, ["rules", "test", "bob+shop@example.org", file.path])
            #expect(result.status == 0 && result.stdout == "fileinto \"Shopping\" :create\n", "\(result.stdout)\(result.stderr)")
            #expect(try test(plain, ["--from", "alerts@monitor.test"]).stdout == "fileinto \"Alerts\" :create\n")
            #expect(try test("Return-Path: <alerts@monitor.test>\r\n" + plain).stdout == "fileinto \"Alerts\" :create\n",
                    "the envelope sender defaults to the Return-Path")
            #expect(try test(plain, ["--date", "1999-12-31T12:00:00Z"]).stdout == "fileinto \"Past\" :create\n")
            result = try test(plain, ["--date", "yesterday"])
            #expect(result.status != 0 && result.stderr.contains("ISO 8601"))
            // A run-time error (fileinto a missing mailbox without :create) still files into INBOX.
            result = try test(Self.message(from: "anna@example.com", subject: "to nowhere"))
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("error: 9:") && result.stdout.hasSuffix(" → INBOX\n"), "\(result.stdout)")

            result = try test(listMail, ["--json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let actions = try #require(json["actions"] as? [[String: Any]])
            #expect(actions.count == 1)
            #expect(actions.first?["action"] as? String == "fileinto")
            #expect(actions.first?["mailbox"] as? String == "Lists/dev")
            #expect(actions.first?["flags"] as? [String] == ["\\Seen"])
            #expect(json["implicitKeep"] as? Bool == false)

            // Removing: a named inactive script, then the active one (deactivated first).
            result = try tresor(data, ["rules", "del", "bob@example.org", "--name", "spare"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try tresor(data, ["rules", "list", "bob@example.org"]).stdout == "filters (active)\n")
            result = try tresor(data, ["rules", "del", "bob@example.org"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "removed script \"filters\" of bob@example.org; no script is active now\n")
            #expect(try tresor(data, ["rules", "list", "bob@example.org"]).stdout.isEmpty)
            result = try tresor(data, ["rules", "get", "bob@example.org"])
            #expect(result.status == 1 && result.stderr.contains("no active script"))
            #expect(try test(listMail).stdout == "implicit keep → INBOX\n")

            result = try tresor(data, ["rules", "list", "nobody@example.org"])
            #expect(result.status == 1 && result.stderr.contains("no user nobody@example.org"), "\(result.stderr)")

            let audit = try tresor(data, ["audit"]).stdout
            #expect(audit.contains("(as admin)  sieve-put  user=bob@example.org script=filters"), "\(audit)")
            for action in ["sieve-delete", "sieve-deactivate", "rules get", "rules test"] {
                #expect(audit.contains(action), "audit lacks \(action)")
            }
        }
    }

    /// `rules test` shows the vacation reply delivery would send, or why it would send none, and
    /// sends nothing: a second test still shows the reply (no period was started).
    @Test func testShowsTheVacationReplyWithoutSendingIt() async throws {
        try await withTemporaryDirectory { dir in
            let data = try prepare(dir)
            let script = try write("require \"vacation\";\nvacation :subject \"Away\" \"Back on Monday.\";\n",
                                   to: dir.appendingPathComponent("away.sieve"))
            #expect(try tresor(data, ["rules", "set", "bob@example.org", script.path]).status == 0)
            func test(_ message: String, _ options: [String] = []) throws -> CommandResult {
                let file = try write(message, to: dir.appendingPathComponent("message.eml"))
                return try tresor(data, ["rules", "test", "bob@example.org", file.path] + options)
            }
            let plain = Self.message(from: "anna@example.com", subject: "hello", extra: "Message-ID: <h1@example.com>\r\n")
            for _ in 0..<2 {
                let result = try test(plain)
                #expect(result.status == 0, "\(result.stderr)")
                let lines = result.stdout.split(separator: "\n").map(String.init)
                #expect(lines.first?.hasPrefix("vacation :subject \"Away\"") == true, "\(result.stdout)")
                #expect(lines.contains("implicit keep → INBOX"))
                #expect(lines.contains("vacation reply to <anna@example.com> (from the null reverse-path):"))
                #expect(lines.contains("  From: <bob@example.org>"))
                #expect(lines.contains("  In-Reply-To: <h1@example.com>"))
                #expect(lines.contains("  Auto-Submitted: auto-replied"))
                #expect(lines.contains("  Back on Monday."))
            }
            let bulk = Self.message(from: "news@example.com", subject: "news", extra: "Precedence: bulk\r\n")
            var result = try test(bulk)
            #expect(result.stdout.contains("vacation: no reply (") && result.stdout.contains("Precedence"), "\(result.stdout)")
            result = try test(plain, ["--from", ""])
            #expect(result.stdout.contains("vacation: no reply ("), "\(result.stdout)")
            result = try test(plain, ["--json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let reply = try #require(json["vacationReply"] as? [String: Any])
            #expect(reply["to"] as? String == "anna@example.com")
            #expect((reply["message"] as? String)?.contains("Subject: Away\r\n") == true)
        }
    }

    /// `rules test` shows the header an editheader script (RFC 5293) leaves, as text and JSON.
    @Test func testShowsTheEditedHeader() async throws {
        try await withTemporaryDirectory { dir in
            let data = try prepare(dir)
            let script = try write("require \"editheader\";\naddheader :last \"X-Filed\" \"yes\";\ndeleteheader \"Subject\";\n",
                                   to: dir.appendingPathComponent("edit.sieve"))
            #expect(try tresor(data, ["rules", "set", "bob@example.org", script.path]).status == 0)
            let message = try write(Self.message(from: "anna@example.com", subject: "hello"),
                                    to: dir.appendingPathComponent("m.eml"))
            var result = try tresor(data, ["rules", "test", "bob@example.org", message.path])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            let heading = try #require(lines.firstIndex { $0.hasPrefix("edited header") }, "\(result.stdout)")
            #expect(lines.last == "  X-Filed: yes")
            #expect(!lines[heading...].contains { $0.hasPrefix("  Subject:") })
            #expect(lines[heading...].contains("  From: anna@example.com"))
            result = try tresor(data, ["rules", "test", "bob@example.org", message.path, "--json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect((json["editedHeader"] as? String)?.hasSuffix("X-Filed: yes\r\n") == true, "\(result.stdout)")
        }
    }

    @Test func theGlobalScriptFromStandardInput() async throws {
        try await withTemporaryDirectory { dir in
            let data = try prepare(dir)
            let source = "require \"imap4flags\";\naddflag \"$Global\";\n"
            var result = try tresor(data, ["rules", "set", "--global", "-", "--actor", "admin"], stdin: Array(source.utf8))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try tresor(data, ["rules", "get", "--global"]).stdout == source)
            let message = try write(Self.message(from: "anna@example.com", subject: "hi"),
                                    to: dir.appendingPathComponent("m.eml"))
            result = try tresor(data, ["rules", "test", "bob@example.org", message.path])
            #expect(result.stdout == "implicit keep → INBOX flags=$Global\n", "\(result.stderr)")

            result = try tresor(data, ["rules", "set", "--global", "-", "--name", "x"], stdin: Array(source.utf8))
            #expect(result.status != 0 && result.stderr.contains("no name"))
            result = try tresor(data, ["rules", "get", "bob@example.org", "--global"])
            #expect(result.status != 0 && result.stderr.contains("not both"))

            #expect(try tresor(data, ["rules", "del", "--global"]).status == 0)
            result = try tresor(data, ["rules", "get", "--global"])
            #expect(result.status == 1 && result.stderr.contains("no global script"))
            let audit = try tresor(data, ["audit"]).stdout
            #expect(audit.contains("(as admin)  sieve-global-put") && audit.contains("sieve-global-remove"), "\(audit)")
        }
    }

    @Test func brokenScriptsAreRefusedWithFileLineAndColumn() async throws {
        try await withTemporaryDirectory { dir in
            let good = try write("require \"fileinto\";\nfileinto \"A\";\n", to: dir.appendingPathComponent("good.sieve"))
            let bad = try write("require \"fileinto\";\nkeep;\nfrobnicate \"x\";\n", to: dir.appendingPathComponent("bad.sieve"))
            var latin1 = Array("keep;\n# caf".utf8)
            latin1 += [0xE9, 0x0A]
            let notUTF8 = dir.appendingPathComponent("latin1.sieve")
            try Data(latin1).write(to: notUTF8)

            // No data directory is needed (none exists at the default ./tresor-data either).
            var result = try CommandRunner.run("tresor", ["rules", "check", good.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "\(good.path): ok\n")
            result = try CommandRunner.run("tresor", ["rules", "check", good.path, bad.path, notUTF8.path,
                                                      dir.appendingPathComponent("absent.sieve").path])
            #expect(result.status == 1)
            #expect(result.stdout == "\(good.path): ok\n")
            let errors = result.stderr.split(separator: "\n").map(String.init)
            #expect(errors.count == 3, "\(result.stderr)")
            #expect(errors.first?.hasPrefix("\(bad.path):3:1: ") == true, "\(result.stderr)")
            #expect(errors.dropFirst().first == "\(notUTF8.path):2:6: not UTF-8 (RFC 5228 §2.2)")
            #expect(errors.last?.hasPrefix("\(dir.appendingPathComponent("absent.sieve").path): cannot read") == true)

            // `set` refuses it the same way and stores nothing.
            let data = try prepare(dir)
            result = try tresor(data, ["rules", "set", "bob@example.org", bad.path])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("\(bad.path):3:1: "), "\(result.stderr)")
            result = try tresor(data, ["rules", "set", "bob@example.org", "-"], stdin: Array("if true {\n  stop\n".utf8))
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("-:"), "\(result.stderr)")
            #expect(try tresor(data, ["rules", "list", "bob@example.org"]).stdout.isEmpty)
            #expect(!(try tresor(data, ["audit"]).stdout.contains("sieve-put")))
        }
    }
}
