import Foundation
import Testing
import TestSupport
@testable import MailServer

/// `tresor config check`'s library side: every problem of a file at once, each with its line;
/// `listen_address`; the folders a file implies; and the example file the repository ships.
@Suite struct ConfigurationCheckTests {
    /// The repository's root, found from this file's path (Tests/MailServerTests/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyProblemIsListedInFileOrderWithItsLine() throws {
        let text = """
            hostname = "mx_1.test"
            colour = "blue"
            [smtp]
            port = 70000
            address = "localhost"
            [limits]
            recipients = 5
            message_size = "lots"
            [retention]
            plan_time = "25:00"
            """
        let (_, problems) = TresorConfiguration.check(text, file: "site.toml")
        #expect(problems.map(\.line) == [1, 2, 4, 5, 7, 8, 10])
        #expect(problems.map(\.key) == ["hostname", "colour", "smtp.port", "smtp.address", "limits.recipients",
                                        "limits.message_size", "retention.plan_time"])
        #expect(problems.allSatisfy { $0.description.hasPrefix("site.toml:\($0.line!): ") })
        // `parse` still throws the first of them.
        let first = #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse(text, file: "site.toml") }
        #expect(first == problems.first)
    }

    @Test func aGoodKeyAfterABadOneIsStillRead() throws {
        let (configuration, problems) = TresorConfiguration.check("[limits]\nrecipients = 5\nconnections = 7\n")
        #expect(problems.count == 1)
        #expect(configuration.limits.connections == 7)
    }

    @Test func everyUnknownKeyIsNamed() throws {
        let (_, problems) = TresorConfiguration.check("a = 1\n[smtp]\nb = 2\nport = 25\nc = 3\n")
        #expect(problems.map(\.description) == ["tresor.toml:1: a: unknown key", "tresor.toml:3: smtp.b: unknown key",
                                                "tresor.toml:5: smtp.c: unknown key"])
    }

    @Test func aSyntaxErrorIsTheOnlyProblem() throws {
        let (_, problems) = TresorConfiguration.check("colour = 1\n[smtp\n")
        #expect(problems.count == 1)
        #expect(problems.first?.description.hasPrefix("tresor.toml:2: column ") == true)
    }

    @Test func listenAddressIsTheDefaultOfEveryListener() throws {
        let configuration = try TresorConfiguration.parse("""
            listen_address = "0.0.0.0"
            [imap]
            address = "127.0.0.1"
            """)
        #expect(configuration.listenAddress == "0.0.0.0")
        for listener in [configuration.smtp, configuration.submission, configuration.submissions, configuration.pop3,
                         configuration.pop3s, configuration.imaps, configuration.manageSieve.listener] {
            #expect(listener.address == "0.0.0.0")
        }
        #expect(configuration.imap.address == "127.0.0.1")
        #expect(configuration.effectiveSettings.contains { $0.key == "listen_address" && $0.value == "0.0.0.0" })
        #expect(TresorConfiguration().smtp.address == "127.0.0.1")
        let bad = #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("listen_address = \"any\"\n") }
        #expect(bad?.description == "tresor.toml:1: listen_address: must be an IPv4 or IPv6 address, not \"any\"")
    }

    @Test func foldersAreTakenRelativeToTheFile() throws {
        let folder = URL(fileURLWithPath: "/srv/tresor", isDirectory: true)
        let implied = try TresorConfiguration.parse("", relativeTo: folder)
        #expect(implied.retention.effectiveFolder.path == "/srv/tresor/retention-policies")
        #expect(implied.effectiveExportsFolder.path == "/srv/tresor/exports")
        let named = try TresorConfiguration.parse("""
            data_dir = "data"
            retention_policies = "../policies"
            exports_dir = "/var/exports"
            """, relativeTo: folder)
        #expect(named.dataDirectory?.path == "/srv/tresor/data")
        #expect(named.retention.effectiveFolder.path == "/srv/policies")
        #expect(named.effectiveExportsFolder.path == "/var/exports")
    }

    @Test func namedFilesAndPoliciesAreChecked() async throws {
        try await withTemporaryDirectory { folder in
            let policies = folder.appendingPathComponent("retention-policies")
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            try Data("[[policy]]\nname = \"x\"\nmatch = \"*\"\nretain = \"90 days\"\naction = \"purge\"\n".utf8)
                .write(to: policies.appendingPathComponent("mail.toml"))
            let file = folder.appendingPathComponent("tresor.toml")
            try Data("""
                hostname = "mx.test"
                [tls]
                certificate = "missing.pem"
                key = "missing.key"
                [delivery]
                smarthost = "relay.test:587"
                auth_user = "u"
                auth_password_file = "relay.password"
                """.utf8).write(to: file)
            let check = TresorConfiguration.checkThoroughly(fileAt: file, displayName: "site.toml")
            #expect(!check.isValid)
            #expect(check.fileProblems.map(\.key) == ["tls.certificate", "tls.key", "delivery.auth_password_file"])
            #expect(check.fileProblems.map(\.line) == [3, 4, 8])
            #expect(check.fileProblems.allSatisfy { $0.file == "site.toml" })
            #expect(!check.policyProblems.isEmpty)
            #expect(check.policyProblems.allSatisfy { $0.file.hasSuffix("mail.toml") && $0.line != nil })
            #expect(check.lines.count == 3 + check.policyProblems.count)
        }
    }

    @Test func theShippedExampleValidates() throws {
        let example = Self.repositoryRoot.appendingPathComponent("tresor.example.toml")
        let check = TresorConfiguration.checkThoroughly(fileAt: example)
        #expect(check.lines == [])
        #expect(check.configuration.dataDirectory?.path == Self.repositoryRoot.appendingPathComponent("tresor-data").path)
        #expect(check.configuration.retention.effectiveFolder.path
                == Self.repositoryRoot.appendingPathComponent("retention-policies").path)
        // Every key the example documents (set or commented out) is one the parser knows: each
        // commented `key = value` line, uncommented alone, must still parse.
        let text = try String(contentsOf: example, encoding: .utf8)
        var table = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let body = line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
            if body.hasPrefix("[") { table = String(body.prefix { $0 != "#" }).trimmingCharacters(in: .whitespaces) }
            guard line.hasPrefix("# "), let first = body.first, first.isLetter || first == "\"",
                  body.contains(" = ") else { continue }
            // Keys that need a partner (tls.key, url without ca) may complain; no key may be unknown.
            let (_, problems) = TresorConfiguration.check("\(table)\n\(body)\n")
            #expect(problems.filter { $0.problem == "unknown key" }.isEmpty, "\(line) in \(table): \(problems)")
        }
    }

    /// The README's configuration example works as copied: into a new folder, it validates.
    @Test func theReadmeExampleValidatesAsCopied() async throws {
        let readme = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Configuration"))
        let rest = readme[section.upperBound...]
        let open = try #require(rest.range(of: "```toml\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        let text = String(rest[open.upperBound..<close.lowerBound])
        #expect(text.contains("listen_address"))
        try await withTemporaryDirectory { folder in
            let file = folder.appendingPathComponent("tresor.toml")
            try Data(text.utf8).write(to: file)
            let check = TresorConfiguration.checkThoroughly(fileAt: file)
            #expect(check.lines == [])
        }
    }
}
