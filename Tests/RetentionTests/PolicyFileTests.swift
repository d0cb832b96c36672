import Foundation
import MailStore
import Retention
import Testing
import TestSupport

/// Policy files: parsing, every problem with file:line, folders (only *.toml directly inside).
@Suite struct PolicyFileTests {
    @Test func theIssuesExampleParses() throws {
        let policies = try PolicyFile.parse("""
            # a comment
            [[policy]]
            name = "newsletters"
            description = "Marketing mail is no business record"
            match = "from:newsletter@* OR subject:unsubscribe"
            retain = "90d"
            count_from = "message-date"
            action = "purge"

            [[policy]]
            name = "gobd"
            match = "subject:rechnung"
            retain = "10y"
            count_from = "year-end"
            action = "purge-archive"
            locked = true
            """, file: "p.toml")
        #expect(policies.map(\.name) == ["newsletters", "gobd"])
        #expect(policies[0].retain == RetentionPeriod(amount: 90, unit: .days))
        #expect(policies[0].countFrom == .messageDate && policies[0].action == .purge && !policies[0].locked)
        #expect(policies[0].query != nil && policies[0].description == "Marketing mail is no business record")
        #expect(policies[0].source == PolicySource(file: "p.toml", line: 2))
        #expect(policies[1].source.line == 10)
        #expect(policies[1].retain == RetentionPeriod(amount: 10, unit: .years))
        #expect(policies[1].countFrom == .yearEnd && policies[1].action == .purgeArchive && policies[1].locked)
    }

    @Test func matchStarMeansEveryMessage() throws {
        let policies = try PolicyFile.parse(RetentionFixtures.policy("all", retain: "18m"), file: "p.toml")
        #expect(policies[0].query == nil && policies[0].match == "*")
        #expect(policies[0].retain == RetentionPeriod(amount: 18, unit: .months))
    }

    @Test func aFallbackIsReadAndCannotBeLocked() throws {
        func parse(_ extra: String, locked: Bool = false) throws -> [RetentionPolicy] {
            try PolicyFile.parse(RetentionFixtures.policy("all", retain: "0d", locked: locked) + extra, file: "f.toml")
        }
        #expect(try parse("fallback = true\n").first?.fallback == true)
        #expect(try parse("").first?.fallback == false)
        #expect {
            try parse("fallback = true\n", locked: true)
        } throws: { error in
            (error as? PolicyLoadError)?.problems.first?.description.contains("cannot be locked") == true
        }
    }

    @Test func everyProblemIsReportedWithFileAndLine() {
        let text = """
            [[policy]]
            name = "fine"
            match = "*"
            retain = "1y"
            count_from = "archived"
            action = "keep"

            [[policy]]
            name = "broken"
            match = "frm:alice"
            retain = "90 days"
            count_from = "yesterday"
            action = "burn"
            locked = "yes"
            colour = "red"
            countfrom = "archived"
            """
        #expect {
            try PolicyFile.parse(text, file: "dir/bad.toml")
        } throws: { error in
            let problems = (error as? PolicyLoadError)?.problems.map(\.description) ?? []
            return problems == [
                "dir/bad.toml:10: policy \"broken\": match: query error at column 1: unknown field \"frm\" (did you mean from?) in \"frm:alice\"",
                "dir/bad.toml:11: policy \"broken\": retain: \"90 days\" is not a period like 30d, 18m or 10y (days, months, years; at most 1000 years)",
                "dir/bad.toml:12: policy \"broken\": count_from: \"yesterday\" must be one of received, message-date, archived, year-end",
                "dir/bad.toml:13: policy \"broken\": action: \"burn\" must be one of purge, purge-archive, keep",
                "dir/bad.toml:14: policy \"broken\": locked: must be true or false, not string",
                "dir/bad.toml:15: policy \"broken\": colour: unknown key",
                "dir/bad.toml:16: policy \"broken\": countfrom: unknown key (did you mean count_from?)",
            ]
        }
    }

    @Test func missingKeysPointAtThePolicyHeader() {
        #expect {
            try PolicyFile.parse("# header\n\n[[policy]]\nname = \"x\"\nmatch = \"*\"\n", file: "m.toml")
        } throws: { error in
            (error as? PolicyLoadError)?.problems.map(\.description) == [
                "m.toml:3: policy \"x\": retain is missing",
                "m.toml:3: policy \"x\": count_from is missing",
                "m.toml:3: policy \"x\": action is missing",
            ]
        }
    }

    @Test func syntaxErrorsTopLevelKeysDuplicatesAndEmptyFiles() {
        func problems(_ text: String) -> [String] {
            do { _ = try PolicyFile.parse(text, file: "f.toml"); return [] } catch { return error.problems.map(\.description) }
        }
        let syntax = problems("[[policy]]\nname = \"x\nretain = \"1y\"\n")
        #expect(syntax.count == 1 && syntax[0].hasPrefix("f.toml:2: "))
        #expect(problems("retain = \"1y\"\n" + RetentionFixtures.policy("a", retain: "1d"))
                == ["f.toml:1: unknown key \"retain\" (a policy file holds only [[policy]] tables)"])
        #expect(problems(RetentionFixtures.policy("a", retain: "1d") + RetentionFixtures.policy("a", retain: "2d"))
                == ["f.toml:8: policy \"a\" is defined twice (first at line 1)"])
        #expect(problems("# nothing\n") == ["f.toml: no [[policy]] table"])
        #expect(problems(RetentionFixtures.policy("bad name", retain: "1d"))
                == ["f.toml:2: policy #1: name: \"bad name\" must be 1 to 100 letters, digits, '-', '_' or '.'"])
    }

    @Test func aFolderLoadsOnlyTOMLFilesDirectlyInItAndChecksEveryFile() async throws {
        try await withTemporaryDirectory { dir in
            let examples = dir.appendingPathComponent("examples", isDirectory: true)
            try FileManager.default.createDirectory(at: examples, withIntermediateDirectories: true)
            try RetentionFixtures.policy("b", retain: "1y").write(to: dir.appendingPathComponent("b.toml"), atomically: true, encoding: .utf8)
            try RetentionFixtures.policy("a", retain: "2y").write(to: dir.appendingPathComponent("a.toml"), atomically: true, encoding: .utf8)
            try "not a policy".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
            try RetentionFixtures.policy("example", retain: "1d")
                .write(to: examples.appendingPathComponent("example.toml"), atomically: true, encoding: .utf8)
            let set = try PolicySet.load(folder: dir, displayPath: "pol")
            #expect(set.policies.map(\.name) == ["a", "b"])
            #expect(set.files == ["pol/a.toml", "pol/b.toml"])

            // A name used in two files, and a broken third file: both reported.
            try RetentionFixtures.policy("a", retain: "3y").write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
            try "[[policy]]\nname = \"d\"\n".write(to: dir.appendingPathComponent("d.toml"), atomically: true, encoding: .utf8)
            #expect {
                try PolicySet.load(folder: dir, displayPath: "pol")
            } throws: { error in
                let problems = (error as? PolicyLoadError)?.problems.map(\.description) ?? []
                return problems.count == 5 && problems[0] == "pol/c.toml:1: policy \"a\" is already defined at pol/a.toml:1"
                    && problems[1] == "pol/d.toml:1: policy \"d\": match is missing"
            }
        }
    }

    @Test func aMissingFolderIsAProblem() {
        #expect(throws: PolicyLoadError.self) {
            try PolicySet.load(folder: URL(fileURLWithPath: "/nonexistent/retention-policies"), displayPath: "x")
        }
    }

    @Test func theShippedDefaultLoadsAndDeletesNothingAndTheExamplesAreValid() throws {
        let folder = Corpus.repositoryRoot.appendingPathComponent("retention-policies", isDirectory: true)
        let shipped = try PolicySet.load(folder: folder)
        #expect(!shipped.policies.isEmpty)
        #expect(shipped.policies.allSatisfy { $0.action == .keep })
        // The shipped default keeps what nothing else matches and never outranks a policy an administrator adds.
        #expect(shipped.policies.allSatisfy { $0.fallback })
        #expect(!shipped.policies.contains { $0.name == "newsletters" })
        let examples = try PolicySet.load(folder: folder.appendingPathComponent("examples", isDirectory: true))
        #expect(Set(examples.policies.map(\.name)) == ["gobd-business-records", "commercial-letters", "newsletters"])
        #expect(examples.policy(named: "commercial-letters")?.retain == RetentionPeriod(amount: 6, unit: .years))
        #expect(examples.policy(named: "gobd-business-records")?.countFrom == .yearEnd)
        #expect(examples.policy(named: "newsletters")?.retain == RetentionPeriod(amount: 90, unit: .days))
    }
}
