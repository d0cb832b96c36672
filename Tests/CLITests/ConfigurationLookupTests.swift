import Foundation
import Testing
import TestSupport

/// One configuration for every command: `--config`, `$TRESOR_CONFIG`, ./tresor.toml, with the
/// data directory, the policy folder and the export folder all taken from it (relative to the
/// file), from whichever folder a command runs; `tresor config check|show`; `--version`.
@Suite struct ConfigurationLookupTests {
    static let message = Array("""
        From: Anna <anna@example.com>\r
        To: x@localhost\r
        Subject: Lookup test\r
        Date: Tue, 1 Jul 2025 10:00:00 +0200\r
        Message-ID: <lookup-1@example.com>\r
        \r
        Found from anywhere.\r

        """.utf8)

    /// `site/tresor.toml` naming `data`, `pol` and `out` relatively, a policy in `pol`, and an
    /// empty folder `elsewhere` to run the commands from.
    struct Site {
        let root: URL
        var site: URL { root.appendingPathComponent("site") }
        var config: URL { site.appendingPathComponent("tresor.toml") }
        var elsewhere: URL { root.appendingPathComponent("elsewhere") }
        var data: URL { site.appendingPathComponent("data") }

        init(_ root: URL, extra: String = "") throws {
            self.root = root
            let manager = FileManager.default
            try manager.createDirectory(at: site.appendingPathComponent("pol"), withIntermediateDirectories: true)
            try manager.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            try Data("""
                data_dir = "data"
                retention_policies = "pol"
                exports_dir = "out"
                domains = ["localhost", "site.test"]
                \(extra)
                """.utf8).write(to: config)
            try Data("""
                [[policy]]
                name = "site-keep"
                match = "*"
                retain = "0d"
                count_from = "received"
                action = "keep"
                """.utf8).write(to: site.appendingPathComponent("pol/keep.toml"))
        }

        /// `tresor arguments…` run in `elsewhere`, the configuration named by `--config` or by
        /// `$TRESOR_CONFIG`.
        func tresor(_ arguments: [String], byEnvironment: Bool = false, stdin: [UInt8]? = nil) throws -> CommandResult {
            if byEnvironment {
                return try CommandRunner.run("tresor", arguments, stdin: stdin,
                                             environment: ["TRESOR_CONFIG": config.path], in: elsewhere)
            }
            return try CommandRunner.run("tresor", arguments + ["--config", config.path], stdin: stdin, in: elsewhere)
        }
    }

    @Test func initThenUserAddWorksAtOnce() async throws {
        try await withTemporaryDirectory { dir in
            let result = try CommandRunner.run("tresor", ["init", "--no-operator"], in: dir)
            #expect(result.status == 0, "\(result.stderr)")
            let added = try CommandRunner.run("tresor", ["user", "add", "x@localhost", "--password-stdin"],
                                              stdin: Array("pw\n".utf8), in: dir)
            #expect(added.status == 0, "\(added.stderr)")
            #expect(try CommandRunner.run("tresor", ["domain", "list"], in: dir).stdout == "localhost\n")
        }
    }

    @Test(arguments: [false, true])
    func everyCommandFindsTheSameDataPoliciesAndExports(byEnvironment: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let site = try Site(dir)
            func run(_ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
                let result = try site.tresor(arguments, byEnvironment: byEnvironment, stdin: stdin)
                #expect(result.status == 0, "tresor \(arguments.joined(separator: " ")): \(result.stderr)")
                return result
            }
            let initialised = try run(["init", "--no-operator"])
            #expect(initialised.stdout.contains(site.data.path))
            #expect(FileManager.default.fileExists(atPath: site.data.appendingPathComponent("keys/archive.ed25519.pub").path))
            #expect(try run(["domain", "list"]).stdout == "localhost\nsite.test\n")
            _ = try run(["user", "add", "x@localhost", "--password-stdin"], stdin: Array("pw\n".utf8))
            _ = try run(["import", "-"], stdin: Self.message)
            #expect(try run(["search", "subject:lookup", "--count"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            let found = try run(["search", "subject:lookup", "--json"])
            let hits = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]]
            let id = try #require(hits?.first?["id"] as? String)
            #expect(try run(["show", id, "--text"]).stdout.contains("Found from anywhere."))
            #expect(try run(["user", "list"]).stdout.contains("x@localhost"))
            #expect(try run(["retention", "check"]).stdout.contains("site-keep"))
            #expect(try run(["retention", "list"]).stdout.contains("site-keep"))
            let exported = try run(["export", "--query", "subject:lookup"])
            let outFolder = site.site.appendingPathComponent("out")
            let exports = (try? FileManager.default.contentsOfDirectory(atPath: outFolder.path)) ?? []
            #expect(exports.count == 1, "\(exported.stdout)")
            for command in [["alias", "list"], ["hold", "list"], ["restrict", "list"], ["private", "show"],
                            ["audit"], ["verify"], ["reindex"], ["queue", "list"], ["dkim", "list"], ["keys", "list"],
                            ["operator", "list"], ["rules", "list", "x@localhost"], ["anchor", "status"],
                            ["report", "procedure", "--out", site.root.appendingPathComponent("report").path],
                            ["config", "show"], ["config", "check"]] {
                _ = try run(command)
            }
            // Nothing was made in the folder the commands ran from.
            #expect(try FileManager.default.contentsOfDirectory(atPath: site.elsewhere.path) == [])
        }
    }

    @Test func aMissingDataDirectoryNamesWhereItCameFrom() async throws {
        try await withTemporaryDirectory { dir in
            let site = try Site(dir)
            let configured = try site.tresor(["user", "list"])
            #expect(configured.status == 1)
            #expect(configured.stderr.contains(site.data.path))
            #expect(configured.stderr.contains("data_dir in \(site.config.path)"))
            // The configuration names the archive: no advice to make one elsewhere.
            #expect(!configured.stderr.contains("--data-dir"))
            // A file named by the flag or the variable must exist: no quiet fall-back to the defaults.
            let missing = site.root.appendingPathComponent("missing.toml").path
            let named = try CommandRunner.run("tresor", ["user", "list"], environment: ["TRESOR_CONFIG": missing],
                                              in: site.elsewhere)
            #expect(named.status == 1)
            #expect(named.stderr.contains(missing))
            let defaulted = try CommandRunner.run("tresor", ["user", "list"], in: site.elsewhere)
            #expect(defaulted.status == 1)
            #expect(defaulted.stderr.contains("tresor-data"))
            #expect(defaulted.stderr.contains("tresor init"))
        }
    }

    @Test func serveTakesItsPoliciesFromBesideTheFileAndChangesNothingWhenRefused() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try CommandRunner.run("tresor", ["init", "--no-operator", "--data-dir", data.path]).status == 0)
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.lookup.test")
                .replacingOccurrences(of: "hostname = ", with: "domains = [\"refused.test\"]\nlisten_address = \"127.0.0.1\"\nhostname = ")
                .utf8).write(to: config)
            // A policy file beside the configuration that does not validate: serve, run from the
            // test's folder, must find it there and refuse to start.
            let policies = dir.appendingPathComponent("retention-policies")
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            let broken = policies.appendingPathComponent("broken.toml")
            try Data("[[policy]]\nname = \"b\"\nmatch = \"*\"\nretain = \"90 days\"\naction = \"purge\"\n".utf8).write(to: broken)
            await #expect(throws: ServeProcess.NotReady.self) {
                let serve = try await ServeProcess.start(config: config, standardError: FileHandle.nullDevice)
                await serve.stop(SIGTERM)
            }
            let domains = try CommandRunner.run("tresor", ["domain", "list", "--config", config.path])
            #expect(domains.stdout == "localhost\n", "a refused configuration added its domains")

            try FileManager.default.removeItem(at: broken)
            let serve = try await ServeProcess.start(config: config, standardError: FileHandle.nullDevice)
            defer { serve.killIfRunning() }
            #expect(serve.ports.count == 8)
            #expect(await serve.stop(SIGTERM) == 0)
            let after = try CommandRunner.run("tresor", ["domain", "list", "--config", config.path])
            #expect(after.stdout == "localhost\nrefused.test\n")
        }
    }

    @Test func configCheckListsEveryProblemWithItsLine() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("site.toml")
            try Data("""
                hostname = "mx.test"
                colour = "blue"
                [smtp]
                port = 70000
                [limits]
                recipients = 5
                """.utf8).write(to: file)
            let result = try CommandRunner.run("tresor", ["config", "check", file.path])
            #expect(result.status == 1)
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines.map { $0.hasPrefix("\(file.path):2: colour") || $0.hasPrefix("\(file.path):4: smtp.port")
                || $0.hasPrefix("\(file.path):6: limits.recipients") } == [true, true, true])
            // Any other command refuses the file with the same list, naming this file.
            let refused = try CommandRunner.run("tresor", ["user", "list", "--config", file.path])
            #expect(refused.status == 1)
            for line in lines { #expect(refused.stderr.contains(line)) }

            try Data("hostname = \"mx.test\"\n".utf8).write(to: file)
            let good = try CommandRunner.run("tresor", ["config", "check"], environment: ["TRESOR_CONFIG": file.path])
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        }
    }

    @Test func configShowPrintsTheSettingsInForceAndTheirFile() async throws {
        try await withTemporaryDirectory { dir in
            let site = try Site(dir, extra: "listen_address = \"::1\"\n")
            let result = try site.tresor(["config", "show"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains(site.config.path) == true)
            #expect(lines.contains("data_dir = \(site.data.path)"))
            #expect(lines.contains("listen_address = ::1"))
            #expect(lines.contains("smtp.address = ::1"))
            #expect(lines.contains("domains = localhost, site.test"))
            #expect(lines.contains("retention_policies = \(site.site.appendingPathComponent("pol").path)"))
            #expect(lines.contains("exports_dir = \(site.site.appendingPathComponent("out").path)"))
            let defaults = try CommandRunner.run("tresor", ["config", "show"], in: site.elsewhere)
            #expect(defaults.stdout.contains("built-in defaults"))
            #expect(defaults.stdout.contains("smtp.port = 2525"))
        }
    }

    @Test func versionIsPrinted() throws {
        let result = try CommandRunner.run("tresor", ["--version"])
        #expect(result.status == 0)
        let version = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.split(separator: ".").count == 3 && version.allSatisfy { $0.isNumber || $0 == "." }, "\(version)")
    }

    @Test func helpDescribesEveryListenerAndTheLookup() throws {
        for arguments in [["--help"], ["serve", "--help"]] {
            let help = try CommandRunner.run("tresor", arguments).stdout
            for name in ["SMTP", "submission", "IMAP", "IMAPS", "POP3", "POP3S", "ManageSieve", "TRESOR_CONFIG",
                         "/etc/tresor/tresor.toml"] {
                #expect(help.contains(name), "\(arguments) lacks \(name)")
            }
        }
    }
}
