import Foundation
import Testing
import TestSupport

/// `tresor domain|user|alias` as an administrator types them, with passwords on standard input.
@Suite struct AccountCommandTests {
    func tresor(_ dataDir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path], stdin: stdin)
    }

    @Test func domainsUsersAndAliasesTranscript() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)

            var result = try tresor(dir, ["domain", "add", "Example.ORG", "--actor", "admin"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "added domain example.org\n")
            #expect(try tresor(dir, ["domain", "add", "example.net"]).status == 0)
            result = try tresor(dir, ["domain", "add", "example.org"])
            #expect(result.status == 1 && result.stderr.contains("domain example.org already exists"))
            // localhost is local since `init` (the default `domains`).
            #expect(try tresor(dir, ["domain", "list"]).stdout == "example.net\nexample.org\nlocalhost\n")

            let secret = "Tr0ub4dor&3 pass"
            result = try tresor(dir, ["user", "add", "anna@example.org", "--password-stdin", "--actor", "admin"],
                                stdin: Array("\(secret)\n".utf8))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "added user anna@example.org\n")
            result = try tresor(dir, ["user", "add", "bob@example.org", "--password-stdin"], stdin: Array("pw2\r\n".utf8))
            #expect(result.status == 0, "\(result.stderr)")
            result = try tresor(dir, ["user", "add", "carl@elsewhere.test", "--password-stdin"], stdin: Array("pw\n".utf8))
            #expect(result.status == 1)
            #expect(result.stderr.contains("elsewhere.test"), "the error names the domain: \(result.stderr)")
            result = try tresor(dir, ["user", "add", "dora@example.org", "--password-stdin"], stdin: [])
            #expect(result.status != 0 && result.stderr.contains("standard input is empty"))
            #expect(try tresor(dir, ["user", "list"]).stdout == "anna@example.org\nbob@example.org\n")

            result = try tresor(dir, ["user", "passwd", "bob@example.org", "--password-stdin"], stdin: Array("pw3\n".utf8))
            #expect(result.status == 0, "\(result.stderr)")
            result = try tresor(dir, ["user", "passwd", "nobody@example.org", "--password-stdin"], stdin: Array("x\n".utf8))
            #expect(result.status == 1 && result.stderr.contains("no user nobody@example.org"))

            result = try tresor(dir, ["alias", "add", "team@example.org", "anna@example.org", "bob@example.org",
                                      "Partner@Remote.test"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try tresor(dir, ["alias", "add", "a@example.net", "b@example.net"]).status == 0)
            result = try tresor(dir, ["alias", "add", "b@example.net", "a@example.net"])
            #expect(result.status == 1 && result.stderr.contains("would expand into itself"))
            #expect(try tresor(dir, ["alias", "list"]).stdout == """
                a@example.net -> b@example.net
                team@example.org -> anna@example.org, bob@example.org, Partner@Remote.test

                """)
            #expect(try tresor(dir, ["alias", "del", "a@example.net"]).status == 0)
            #expect(try tresor(dir, ["alias", "list"]).stdout.split(separator: "\n").count == 1)

            result = try tresor(dir, ["domain", "del", "example.org"])
            #expect(result.status == 1 && result.stderr.contains("still has 2 user(s) and 1 alias(es)"))
            #expect(try tresor(dir, ["user", "del", "bob@example.org"]).status == 0)
            #expect(try tresor(dir, ["user", "list"]).stdout == "anna@example.org\n")
            #expect(try tresor(dir, ["domain", "del", "example.net"]).status == 0)
            #expect(try tresor(dir, ["domain", "list"]).stdout == "example.org\nlocalhost\n")

            // Every change is audited; no password ever reaches the audit log or the catalog in clear.
            let audit = try tresor(dir, ["audit"]).stdout
            for action in ["domain add", "user add", "user passwd", "alias add", "alias del", "user del", "domain del"] {
                #expect(audit.contains(action), "audit lacks \(action)")
            }
            #expect(audit.contains("(as admin)  user add  anna@example.org"))
            #expect(!audit.contains(secret) && !audit.contains("pw3"))
            let catalog = try Data(contentsOf: dir.appendingPathComponent("catalog.sqlite"))
                + ((try? Data(contentsOf: dir.appendingPathComponent("catalog.sqlite-wal"))) ?? Data())
            #expect(catalog.range(of: Data(secret.utf8)) == nil)
            #expect(catalog.range(of: Data("$scrypt$".utf8)) != nil)
        }
    }

    /// Without --password-stdin the password is asked on the terminal with echo off; a process
    /// without a controlling terminal (setsid) fails with a hint instead of reading stdin.
    @Test func withoutATerminalThePromptIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["domain", "add", "example.org"]).status == 0)
            let process = SpawnedProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = ["--wait", CommandRunner.executable("tresor").path, "user", "add", "anna@example.org",
                                 "--data-dir", dir.path]
            let err = Pipe()
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 1)
            #expect(stderr.contains("use --password-stdin"), "\(stderr)")
            #expect(try tresor(dir, ["user", "list"]).stdout.isEmpty)
        }
    }
}
