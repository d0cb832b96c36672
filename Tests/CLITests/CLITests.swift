import Foundation
import Testing
import TestSupport

/// The `tresor` binary driven as a user drives it: a fresh data directory per test.
@Suite struct CLITests {
    static let sample = Array("""
        From: Anna Müller <anna@example.com>\r
        To: Bob <bob@example.org>\r
        Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r
        Date: Tue, 1 Jul 2025 10:00:00 +0200\r
        Message-ID: <cli-1@example.com>\r
        \r
        Die Verträge liegen bei.\r

        """.utf8)

    func tresor(_ dataDir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path], stdin: stdin)
    }

    @Test func helpListsEveryCommand() throws {
        let result = try CommandRunner.run("tresor", ["--help"])
        #expect(result.status == 0)
        for command in ["init", "serve", "import", "search", "show", "verify", "reindex", "audit", "domain", "user", "alias", "rules"] {
            #expect(result.stdout.contains(command), "help lacks \(command)")
        }
    }

    @Test func commandsRefuseAnUninitialisedDataDirectory() async throws {
        try await withTemporaryDirectory { dir in
            let result = try tresor(dir.appendingPathComponent("none"), ["verify"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("tresor init"))
        }
    }

    @Test func initPrintsThePublicKeyAndRefusesASecondTime() async throws {
        try await withTemporaryDirectory { dir in
            let first = try tresor(dir, ["init"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("public key"))
            let second = try tresor(dir, ["init"])
            #expect(second.status != 0)
        }
    }

    @Test func dataDirectoryFromTheEnvironment() async throws {
        try await withTemporaryDirectory { dir in
            let result = try CommandRunner.run("tresor", ["init"], environment: ["TRESOR_DATA_DIR": dir.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("keys/archive.ed25519.pub").path))
        }
    }

    @Test func importSearchShowVerifyAndAudit() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            let imported = try tresor(dir, ["import", "-", "--actor", "officer"], stdin: Self.sample)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("archived 1 new"))

            let again = try tresor(dir, ["import", "-"], stdin: Self.sample)
            #expect(again.stdout.contains("archived 0 new"))
            #expect(again.stdout.contains("1 already archived"))

            let found = try tresor(dir, ["search", "subject:KOLN", "--json"])
            #expect(found.status == 0, "\(found.stderr)")
            let hits = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]]
            #expect(hits?.count == 1)
            let id = try #require(hits?.first?["id"] as? String)

            #expect(try tresor(dir, ["search", "subject:grüße", "-subject:draft", "--count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            #expect(try tresor(dir, ["search", "vertrage", "--count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            #expect(try tresor(dir, ["search", "from:nobody@example.com", "--count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

            let raw = try tresor(dir, ["show", id, "--raw"])
            #expect(raw.stdoutBytes == Self.sample)
            let text = try tresor(dir, ["show", String(id.prefix(12)), "--text"])
            #expect(text.stdout.contains("Verträge"))

            let bad = try tresor(dir, ["search", "subject:\"open"])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("column"))

            let verified = try tresor(dir, ["verify"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")

            let audit = try tresor(dir, ["audit", "--json"])
            #expect(audit.status == 0, "\(audit.stderr)")
            for action in ["init", "import", "search", "show"] {
                #expect(audit.stdout.contains("\"\(action)\""), "audit lacks \(action)")
            }
            // verify only reads: it leaves no trace, not even an audit entry.
            #expect(!audit.stdout.contains("\"verify\""))
            #expect(audit.stdout.contains("officer"))
        }
    }

    @Test func verifyFailsAndNamesThePlaceAfterTampering() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["import", "-"], stdin: Self.sample).status == 0)
            let archive = dir.appendingPathComponent("archive")
            let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: archive.path)
                .filter { $0.hasSuffix(".tsa") }.sorted().first)
            let path = archive.appendingPathComponent(segment).path
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            // The message body is deflated; flip a byte in the middle of the file.
            try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            bytes[bytes.count / 2] ^= 0x5A
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = try tresor(dir, ["verify"])
            #expect(result.status == 1)
            #expect(result.stdout.contains(segment))
            #expect(result.stdout.contains("at byte"))
        }
    }

    @Test func reindexGivesIdenticalResults() async throws {
        guard let corpus = try Corpus.locate() else { return }
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            let mbox = corpus.appendingPathComponent("mbox/asf-asterix-dev-2017-09.mbox").path
            let imported = try tresor(dir, ["import", mbox, corpus.appendingPathComponent("rfc822").path])
            #expect(imported.status == 0, "\(imported.stderr)")
            let queries = ["has:attachment", "subject:asterix", "after:2017-09-10", "-subject:re", "from:apache.org OR to:apache.org"]
            let before = try queries.map { try tresor(dir, ["search", $0, "--csv", "--limit", "10000"]).stdout }
            let reindexed = try tresor(dir, ["reindex"])
            #expect(reindexed.status == 0, "\(reindexed.stderr)")
            let after = try queries.map { try tresor(dir, ["search", $0, "--csv", "--limit", "10000"]).stdout }
            // Compared line by line so that a failure names the query, not 100 KB of CSV.
            for (query, (old, new)) in zip(queries, zip(before, after)) {
                #expect(old == new, "results of \(query) differ after reindex")
                #expect(old.components(separatedBy: "\r\n").count > 2, "\(query) found nothing")
            }
            #expect(try tresor(dir, ["verify"]).status == 0)
        }
    }

    /// `show --attachments` writes each attachment, decoded, inside the folder it was given, under
    /// a name that cannot climb out of it, and never overwrites a file already there.
    @Test func attachmentsAreSavedInsideTheFolderOnly() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try tresor(data, ["init"]).status == 0)
            let message = Array("""
                From: a@example.com\r
                Subject: files\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain\r
                \r
                see attached\r
                --b\r
                Content-Type: application/octet-stream; name="x"\r
                Content-Disposition: attachment; filename="../../evil/x.txt"\r
                Content-Transfer-Encoding: base64\r
                \r
                aGVsbG8gd29ybGQ=\r
                --b\r
                Content-Type: text/plain\r
                Content-Disposition: attachment; filename="notes.txt"\r
                \r
                second\r
                --b--\r

                """.utf8)
            #expect(try tresor(data, ["import", "-"], stdin: message).status == 0)
            let hits = try tresor(data, ["search", "subject:files", "--json"]).stdout
            let id = try #require((try JSONSerialization.jsonObject(with: Data(hits.utf8)) as? [[String: Any]])?.first?["id"] as? String)
            let out = dir.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try Data("keep".utf8).write(to: out.appendingPathComponent("notes.txt"))
            let saved = try tresor(data, ["show", id, "--attachments", out.path])
            #expect(saved.status == 0, "\(saved.stderr)")
            let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
            #expect(names == ["_.._evil_x.txt", "notes.txt", "notes.txt (2)"], "\(names)")
            #expect(try String(contentsOf: out.appendingPathComponent("_.._evil_x.txt"), encoding: .utf8) == "hello world")
            #expect(try String(contentsOf: out.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("evil").path))
        }
    }

    /// `tresor serve` refuses, with a message naming the place, to start on a data directory
    /// that `init` never made, with a config file that is missing, or with a bad key or value.
    @Test func serveExplainsWhyItCannotStart() async throws {
        try await withTemporaryDirectory { dir in
            let missing = try CommandRunner.run("tresor", ["serve", "--data-dir", dir.appendingPathComponent("none").path])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("tresor init"), "\(missing.stderr)")
            #expect(!missing.stderr.contains("Usage"))

            let noFile = try CommandRunner.run("tresor", ["serve", "--config", dir.appendingPathComponent("nope.toml").path])
            #expect(noFile.status != 0)
            // The reason after the colon is the C library's strerror text (its wording, its locale).
            #expect(noFile.stderr.contains("nope.toml: cannot read the file: "), "\(noFile.stderr)")

            let config = dir.appendingPathComponent("tresor.toml")
            try Data("hostname = \"mx.test\"\n[smtp]\nport = 70000\n".utf8).write(to: config)
            let bad = try CommandRunner.run("tresor", ["serve", "--config", config.path])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("tresor.toml:3: smtp.port"), "\(bad.stderr)")
        }
    }

    /// A Maildir with `new/`, `cur/` and a Maildir++ subfolder; `tmp/` (deliveries in progress)
    /// is never read. A folder of `.eml` files is read recursively, other files are ignored.
    @Test func importsMaildirAndEmlFolders() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try tresor(data, ["init"]).status == 0)
            let fm = FileManager.default
            func write(_ path: String, _ n: Int) throws {
                let url = dir.appendingPathComponent(path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data("From: a\(n)@example.com\nTo: b@example.org\nSubject: maildir test \(n)\n\nbody \(n)\n".utf8).write(to: url)
            }
            try write("Maildir/new/1700000000.1.host", 1)
            try write("Maildir/cur/1700000000.2.host:2,S", 2)
            try write("Maildir/.Projects/cur/1700000000.3.host:2,", 3)
            try write("Maildir/tmp/1700000000.4.host", 4)
            try write("emls/a.eml", 5)
            try write("emls/nested/b.EML", 6)
            try write("emls/notes.txt", 7)
            let maildir = try tresor(data, ["import", dir.appendingPathComponent("Maildir").path])
            #expect(maildir.status == 0, "\(maildir.stderr)")
            #expect(maildir.stdout.contains("archived 3 new"), "\(maildir.stdout)")
            let emls = try tresor(data, ["import", dir.appendingPathComponent("emls").path])
            #expect(emls.stdout.contains("archived 2 new"), "\(emls.stdout)")
            let found = try tresor(data, ["search", "subject:maildir", "--csv"]).stdout
            for n in [1, 2, 3, 5, 6] { #expect(found.contains("maildir test \(n)")) }
            for n in [4, 7] { #expect(!found.contains("maildir test \(n)")) }
            let empty = try tresor(data, ["import", dir.appendingPathComponent("Maildir/tmp").path])
            #expect(empty.stdout.contains("no messages found"))
        }
    }

    /// Issue "one data directory, two processes": an import and 20 searches while another
    /// process appends; afterwards verify passes and every message is found — as many as a
    /// sequential import of the same mail into a second data directory finds.
    @Test func importAndSearchesWhileAnotherProcessAppends() async throws {
        guard let corpus = try Corpus.locate() else { return }
        try await withTemporaryDirectory { dir in
            let shared = dir.appendingPathComponent("shared"), sequential = dir.appendingPathComponent("sequential")
            #expect(try tresor(shared, ["init"]).status == 0)
            #expect(try tresor(sequential, ["init"]).status == 0)
            let first = corpus.appendingPathComponent("mbox/enron-cuilla-m.mbox").path
            let second = corpus.appendingPathComponent("mbox/spamassassin-easy_ham.mbox").path

            let results = ResultList()
            let group = DispatchGroup()
            func spawn(_ arguments: [String]) {
                group.enter()
                DispatchQueue.global().async {
                    let result = Result { try self.tresor(shared, arguments) }
                    results.append(arguments, result)
                    group.leave()
                }
            }
            spawn(["import", first])
            spawn(["import", second])
            for n in 0..<20 { spawn(["search", n % 2 == 0 ? "subject:re" : "from:enron.com OR body:spamassassin", "--count"]) }
            group.wait()
            for (arguments, result) in results.all {
                let r = try result.get()
                #expect(r.status == 0, "\(arguments): \(r.stderr)")
            }
            let verified = try tresor(shared, ["verify"])
            #expect(verified.status == 0, "\(verified.stdout)")

            #expect(try tresor(sequential, ["import", first, second]).status == 0)
            let count = { (d: URL) throws -> String in try self.tresor(d, ["search", "source:import", "--count"]).stdout }
            let expected = try count(sequential)
            #expect(Int(expected.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 2500)
            #expect(try count(shared) == expected)
        }
    }
}

/// Results collected from several threads.
final class ResultList: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var items: [([String], Result<CommandResult, any Error>)] = []
    func append(_ arguments: [String], _ result: Result<CommandResult, any Error>) {
        lock.lock(); items.append((arguments, result)); lock.unlock()
    }
    var all: [([String], Result<CommandResult, any Error>)] { lock.lock(); defer { lock.unlock() }; return items }
}
