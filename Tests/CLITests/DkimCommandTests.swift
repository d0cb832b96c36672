import Foundation
import Testing
import TestSupport

/// `tresor dkim keygen|list|show` as an administrator types them.
@Suite struct DkimCommandTests {
    func tresor(_ dataDir: URL, _ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path])
    }

    /// The quoted character-strings of a zone file line, joined (how resolvers hand TXT to DKIM).
    func recordText(_ line: Substring) -> String {
        line.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }.joined()
    }

    @Test func keygenListShowTranscript() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["domain", "add", "example.org"]).status == 0)

            var result = try tresor(dir, ["dkim", "keygen", "Example.ORG", "--selector", "s1", "--actor", "admin"])
            #expect(result.status == 0, "\(result.stderr)")
            let rsaLine = try #require(result.stdout.split(separator: "\n").first)
            #expect(rsaLine.hasPrefix("s1._domainkey.example.org. IN TXT \"v=DKIM1; k=rsa; p=MIIBIjAN"))
            let quoted = rsaLine.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map(\.element)
            #expect(quoted.count == 2 && quoted.allSatisfy { $0.utf8.count <= 255 }, "\(rsaLine)")
            #expect(!result.stderr.contains("warning"))

            result = try tresor(dir, ["dkim", "keygen", "example.org", "--algorithm", "ed25519", "--selector", "e1"])
            #expect(result.status == 0, "\(result.stderr)")
            let edLine = try #require(result.stdout.split(separator: "\n").first)
            #expect(edLine.hasPrefix("e1._domainkey.example.org. IN TXT \"v=DKIM1; k=ed25519; p="))
            #expect(recordText(edLine).count == "v=DKIM1; k=ed25519; p=".count + 44)

            // A key is never replaced; a bad algorithm or name is refused.
            result = try tresor(dir, ["dkim", "keygen", "example.org", "--selector", "s1"])
            #expect(result.status == 1 && result.stderr.contains("already exists"), "\(result.stderr)")
            result = try tresor(dir, ["dkim", "keygen", "example.org", "--algorithm", "dsa"])
            #expect(result.status != 0)
            result = try tresor(dir, ["dkim", "keygen", "../../etc"])
            #expect(result.status == 1 && result.stderr.contains("not a valid domain"), "\(result.stderr)")

            // Not a local domain: created, with a warning; the default selector names algorithm and month.
            result = try tresor(dir, ["dkim", "keygen", "other.test"])
            #expect(result.status == 0 && result.stderr.contains("not a local domain"), "\(result.stderr)")
            #expect(result.stdout.hasPrefix("rsa-20"))

            result = try tresor(dir, ["dkim", "list"])
            #expect(result.status == 0)
            let listed = result.stdout.split(separator: "\n")
            #expect(listed.count == 3)
            #expect(listed.first == "example.org  rsa  s1  s1._domainkey.example.org")
            #expect(listed.dropFirst().first == "example.org  ed25519  e1  e1._domainkey.example.org")
            #expect(listed.last?.hasPrefix("other.test  rsa  rsa-20") == true)

            result = try tresor(dir, ["dkim", "show", "EXAMPLE.org"])
            #expect(result.status == 0)
            #expect(result.stdout.split(separator: "\n") == [rsaLine, edLine])
            result = try tresor(dir, ["dkim", "show", "nokeys.test"])
            #expect(result.status == 1 && result.stderr.contains("no DKIM key for nokeys.test"))

            // The key files are private to the server's user.
            let file = dir.appendingPathComponent("keys/dkim/example.org/s1.rsa.pem")
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            #expect(try String(contentsOf: file, encoding: .utf8).hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))

            let audit = try tresor(dir, ["audit"]).stdout
            #expect(audit.contains("(as admin)  dkim keygen  example.org s1 rsa"), "\(audit)")
            #expect(audit.contains("dkim keygen  example.org e1 ed25519"))
            #expect(audit.contains("dkim list (3)"))
            #expect(audit.contains("dkim show (2)  example.org"))
        }
    }
}
