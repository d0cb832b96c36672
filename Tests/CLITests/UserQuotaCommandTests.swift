import Foundation
import Testing
import TestSupport

/// `tresor user quota NAME [SIZE|none|default]`: a user's own storage quota, shown and set, audited.
@Suite struct UserQuotaCommandTests {
    func tresor(_ dataDir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path], stdin: stdin)
    }

    @Test func showsSetsAndResetsAQuota() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            let added = try tresor(dir, ["user", "add", "anna@localhost", "--password-stdin"], stdin: Array("pw\n".utf8))
            #expect(added.status == 0, "\(added.stderr)")

            var result = try tresor(dir, ["user", "quota", "anna@localhost"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("storage quota of anna@localhost: default"), "\(result.stdout)")
            #expect(result.stdout.contains("(0 octets)"), "\(result.stdout)")

            result = try tresor(dir, ["user", "quota", "Anna@localhost", "500M", "--actor", "admin"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("(524288000 octets)"), "\(result.stdout)")
            #expect(try tresor(dir, ["user", "quota", "anna@localhost"]).stdout.contains("524288000"))

            result = try tresor(dir, ["user", "quota", "anna@localhost", "none"])
            #expect(result.status == 0 && result.stdout.contains("none (no limit)"), "\(result.stdout)\(result.stderr)")
            result = try tresor(dir, ["user", "quota", "anna@localhost", "default"])
            #expect(result.status == 0 && result.stdout.contains(": default"), "\(result.stdout)\(result.stderr)")

            #expect(try tresor(dir, ["user", "quota", "anna@localhost", "lots"]).status != 0)
            #expect(try tresor(dir, ["user", "quota", "anna@localhost", "0"]).status != 0)
            #expect(try tresor(dir, ["user", "quota", "nobody@localhost", "1G"]).status == 1)

            let audit = try tresor(dir, ["audit"])
            #expect(audit.stdout.contains("user quota") && audit.stdout.contains("storage=524288000"), "\(audit.stdout)")
        }
    }
}
