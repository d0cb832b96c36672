import Foundation
import Testing
import TestSupport

/// `tresor operator passwd|scope|search` as an admin and an auditor run them.
@Suite struct OperatorAccessCommandTests {
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil, as person: String = "alice") throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin,
                              environment: TestOperators.environment(dir, as: person))
    }

    @Test func passwdScopeAndSearchesAreSignedAndListed() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["operator", "add", "carol", "--role", "auditor"]).status == 0)
            #expect(try tresor(dir, ["hold", "add", "acme", "--query", "domain:acme.example", "--reason", "lawsuit"]).status == 0)

            // carol sets her own password; she may not set her own scope.
            let passwd = try tresor(dir, ["operator", "passwd", "carol", "--password-stdin"], stdin: Array("s3cret\n".utf8),
                                    as: "carol")
            #expect(passwd.status == 0, "\(passwd.stderr)")
            #expect(try tresor(dir, ["operator", "scope", "carol", "--case", "acme"], as: "carol").status != 0)
            let scope = try tresor(dir, ["operator", "scope", "carol", "--case", "acme", "--query", "from:boss@acme.example"])
            #expect(scope.status == 0, "\(scope.stderr)")
            #expect(try tresor(dir, ["operator", "scope", "carol", "--case", "nope"]).status != 0)
            let add = try tresor(dir, ["operator", "search", "add", "carol", "invoices", "subject:invoice"], as: "carol")
            #expect(add.status == 0, "\(add.stderr)")
            #expect(try tresor(dir, ["operator", "search", "add", "carol", "bad", "subject:("]).status != 0)

            let list = try tresor(dir, ["operator", "search", "list", "carol"])
            #expect(list.stdout.contains("password\tset"), "\(list.stdout)")
            #expect(list.stdout.contains("scope\tcases acme; query from:boss@acme.example"), "\(list.stdout)")
            #expect(list.stdout.contains("search\tinvoices\tsubject:invoice"), "\(list.stdout)")
            #expect(try tresor(dir, ["operator", "search", "remove", "carol", "invoices"]).status == 0)
            #expect(!(try tresor(dir, ["operator", "search", "list", "carol"]).stdout.contains("invoices")))

            // Each change is in the chain: verify finds the catalog agreeing with it.
            let verify = try tresor(dir, ["verify"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            let audit = try tresor(dir, ["audit"])
            for action in ["operator passwd", "operator scope", "operator search add", "operator search remove"] {
                #expect(audit.stdout.contains(action), "\(action) missing from the audit trail")
            }
        }
    }
}
