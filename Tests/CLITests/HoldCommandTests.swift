import Foundation
import Testing
import TestSupport

/// `tresor hold` as legal counsel runs it, and its effect on `tresor retention`.
@Suite struct HoldCommandTests {
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil, as person: String = "alice") throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin,
                              environment: TestOperators.environment(dir, as: person))
    }

    static func message(_ tag: String, from: String) -> [UInt8] {
        RetentionCommandTests.message(tag, subject: "Case \(tag)", date: "Thu, 2 Jan 2020 09:00:00 +0000", from: from)
    }

    @Test func addListShowReleaseAndLaterArrivals() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            _ = try tresor(dir, ["import", "-"], stdin: Self.message("one", from: "mallory@acme.example"))
            let add = try tresor(dir, ["hold", "add", "acme", "--query", "domain:acme.example", "--reason", "Lawsuit 4 O 12/26"])
            #expect(add.status == 0, "\(add.stderr)")
            #expect(add.stdout.contains("covers 1 message(s) now"))
            _ = try tresor(dir, ["import", "-"], stdin: Self.message("two", from: "eve@acme.example"))
            let show = try tresor(dir, ["hold", "show", "acme"])
            #expect(show.stdout.contains("messages: 2") && show.stdout.contains("status: active"))
            #expect(show.stdout.contains("reason: Lawsuit 4 O 12/26") && show.stdout.contains("by operator:alice"))
            let list = try tresor(dir, ["hold", "list"]).stdout
            #expect(list.hasPrefix("CASE ") && !list.contains("\t"), "\(list)")
            #expect(list.split(separator: "\n").contains { $0.split(separator: " ").prefix(3) == ["acme", "active", "2"] },
                    "\(list)")

            let duplicate = try tresor(dir, ["hold", "add", "acme", "--query", "x", "--reason", "again"])
            #expect(duplicate.status == 1 && duplicate.stderr.contains("already exists"))
            let badQuery = try tresor(dir, ["hold", "add", "b", "--query", "frm:x", "--reason", "r"])
            #expect(badQuery.status == 2 && badQuery.stderr.contains("unknown field \"frm\""))

            let release = try tresor(dir, ["hold", "release", "acme", "--reason", "settled"])
            #expect(release.status == 0, "\(release.stderr)")
            #expect(try tresor(dir, ["hold", "list"]).stdout.contains("no active holds"))
            #expect(try tresor(dir, ["hold", "list", "--all"]).stdout.split(separator: "\n").contains {
                $0.split(separator: " ").prefix(2) == ["acme", "released"]
            })
            #expect(try tresor(dir, ["hold", "show", "acme"]).stdout.contains("released: "))
            let twice = try tresor(dir, ["hold", "release", "acme", "--reason", "again"])
            #expect(twice.status == 1 && twice.stderr.contains("already released"))
            #expect(try tresor(dir, ["hold", "show", "nope"]).status == 1)

            let audit = try tresor(dir, ["audit"]).stdout
            #expect(audit.contains("operator:alice (os ") && audit.contains("hold add (1)") && audit.contains("hold release"),
                    "\(audit)")
        }
    }

    @Test func aHoldKeepsExpiredMailUntilItIsReleased() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            _ = try tresor(dir, ["import", "-"], stdin: Self.message("held", from: "mallory@acme.example"))
            _ = try tresor(dir, ["import", "-"], stdin: Self.message("free", from: "trent@other.example"))
            let folder = dir.appendingPathComponent("pol", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try "[[policy]]\nname = \"all\"\nmatch = \"*\"\nretain = \"1y\"\ncount_from = \"message-date\"\naction = \"purge\"\n"
                .write(to: folder.appendingPathComponent("all.toml"), atomically: true, encoding: .utf8)
            _ = try tresor(dir, ["hold", "add", "acme", "--query", "from:mallory@acme.example", "--reason", "lawsuit"])

            let dry = try tresor(dir, ["retention", "apply", "--dry-run", "--policies", folder.path])
            #expect(dry.stdout.contains("1 message(s) due, 1 held"), "\(dry.stdout)\(dry.stderr)")
            // The held message's row names the sender and, last, the hold that keeps it.
            #expect(dry.stdout.split(separator: "\n").contains { $0.contains("mallory@acme.example") && $0.hasSuffix("  acme") },
                    "\(dry.stdout)")
            let apply = try tresor(dir, ["retention", "apply", "--yes", "--policies", folder.path])
            #expect(apply.status == 0, "\(apply.stderr)")
            #expect(try tresor(dir, ["search", "subject:held", "--count"]).stdout.hasPrefix("1"))
            #expect(try tresor(dir, ["search", "subject:free", "--count"]).stdout.hasPrefix("0"))

            _ = try tresor(dir, ["hold", "release", "acme", "--reason", "settled"])
            let after = try tresor(dir, ["retention", "apply", "--yes", "--policies", folder.path])
            #expect(after.stdout.contains("purged 1 message(s)"), "\(after.stdout)\(after.stderr)")
            #expect(try tresor(dir, ["search", "subject:held", "--count"]).stdout.hasPrefix("0"))
        }
    }
}
