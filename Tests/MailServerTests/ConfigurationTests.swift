import Foundation
import Testing
import TestSupport
@testable import MailServer

/// `tresor.toml`: defaults, every key, and an error naming key and line for each bad input.
@Suite struct ConfigurationTests {
    @Test func emptyFileGivesTheDesignDefaults() throws {
        let configuration = try TresorConfiguration.parse("")
        #expect(configuration == TresorConfiguration())
        #expect(configuration.dataDirectory == nil)
        #expect(configuration.domains == ["localhost"])
        #expect(configuration.smtp == .init(address: "127.0.0.1", port: 2525))
        #expect(configuration.submission.port == 2587)
        #expect(configuration.submissions.port == 2465)
        #expect(configuration.auth.allowPlaintextOnLoopback)
        #expect(configuration.limits.recipients == 100)
        #expect(!configuration.hostname.isEmpty)
    }

    @Test func theSieveTableNamesTheScannerFields() throws {
        let configuration = try TresorConfiguration.parse("""
            [sieve]
            spam_score_header = "X-Spam-Score"
            spam_score_max = 15
            virus_header = "X-Virus-Status"
            virus_infected_values = ["infected", "found"]
            """)
        #expect(configuration.sieve.spamScoreField == "X-Spam-Score")
        #expect(configuration.sieve.spamScoreMaximum == 15)
        #expect(configuration.sieve.virusField == "X-Virus-Status")
        #expect(configuration.sieve.infectedValues == ["infected", "found"])
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[sieve]\nspam_header = \"x\"\n") }
    }

    @Test func everyKeyIsRead() throws {
        let text = """
            # a complete file
            data_dir = "data"
            hostname = "mx.example.org"
            domains = ["Example.org", "example.net"]

            [smtp]
            address = "0.0.0.0"
            port = 25

            [submission]
            address = "::1"
            port = 587

            [submissions]
            enabled = false
            port = 465

            [tls]
            certificate = "/etc/tresor/cert.pem"
            key = "key.pem"

            [auth]
            allow_plaintext_on_loopback = false
            failure_delay_ms = 250
            login_cache_seconds = 600

            [limits]
            message_size = "25M"
            recipients = 500
            connections_per_ip = 7

            [archive]
            seal_key = "secrets/seal.key"
            """
        let folder = URL(fileURLWithPath: "/srv/tresor", isDirectory: true)
        let configuration = try TresorConfiguration.parse(text, relativeTo: folder)
        #expect(configuration.dataDirectory?.path == "/srv/tresor/data")
        #expect(configuration.hostname == "mx.example.org")
        #expect(configuration.domains == ["example.org", "example.net"])
        #expect(configuration.smtp == .init(address: "0.0.0.0", port: 25))
        #expect(configuration.submission == .init(address: "::1", port: 587))
        #expect(configuration.submissions == .init(enabled: false, address: "127.0.0.1", port: 465))
        #expect(configuration.tls.certificate?.path == "/etc/tresor/cert.pem")
        #expect(configuration.tls.key?.path == "/srv/tresor/key.pem")
        #expect(!configuration.auth.allowPlaintextOnLoopback)
        #expect(configuration.auth.failureDelay == .milliseconds(250))
        #expect(configuration.auth.loginCacheLifetime == .seconds(600))
        #expect(TresorConfiguration().auth.loginCacheLifetime == .seconds(3600))
        #expect(configuration.limits.messageSize == 25 << 20)
        #expect(configuration.limits.recipients == 500)
        #expect(configuration.limits.connectionsPerIP == 7)
        #expect(configuration.archive.sealKey?.path == "/srv/tresor/secrets/seal.key")
    }

    @Test func dottedKeysAndInlineTablesWork() throws {
        let configuration = try TresorConfiguration.parse("""
            smtp.port = 0
            submission = { port = 0, address = "127.0.0.1" }
            limits.message_size = 4096
            """)
        #expect(configuration.smtp.port == 0)
        #expect(configuration.submission.port == 0)
        #expect(configuration.limits.messageSize == 4096)
    }

    /// Each bad input and the exact message the administrator sees.
    @Test(arguments: [
        ("hostname = \"mx.test\"\ncolour = \"blue\"\n", "tresor.toml:2: colour: unknown key"),
        ("\n[smtp]\nport = 25\nprot = 26\n", "tresor.toml:4: smtp.prot: unknown key"),
        ("[smtp]\nport = 70000\n", "tresor.toml:2: smtp.port: must be an integer from 0 to 65535, not 70000"),
        ("[smtp]\nport = \"25\"\n", "tresor.toml:2: smtp.port: must be an integer, not string"),
        ("[submission]\naddress = \"localhost\"\n",
         "tresor.toml:2: submission.address: must be an IPv4 or IPv6 address, not \"localhost\""),
        ("[submissions]\nenabled = \"yes\"\n", "tresor.toml:2: submissions.enabled: must be true or false, not string"),
        ("hostname = \"mx_1.test\"\n",
         "tresor.toml:1: hostname: must be a domain name (letters, digits, '-' and '.'), not \"mx_1.test\""),
        ("domains = [\"a.test\", 3]\n", "tresor.toml:1: domains: must be an array of strings, not integer"),
        ("domains = [\"a..test\"]\n", "tresor.toml:1: domains: \"a..test\" is not a domain name"),
        ("data_dir = \"\"\n", "tresor.toml:1: data_dir: must not be empty"),
        ("smtp = 25\n", "tresor.toml:1: smtp: must be a table, not integer"),
        ("[tls]\ncertificate = \"c.pem\"\n", "tresor.toml:2: tls.certificate: needs tls.key too"),
        ("[tls]\n\nkey = \"k.pem\"\n", "tresor.toml:3: tls.key: needs tls.certificate too"),
        ("[auth]\nallow_plaintext_on_loopback = 1\n",
         "tresor.toml:2: auth.allow_plaintext_on_loopback: must be true or false, not integer"),
        ("[auth]\nfailure_delay_ms = -5\n",
         "tresor.toml:2: auth.failure_delay_ms: must be an integer from 0 to 60000, not -5"),
        ("[limits]\nmessage_size = \"lots\"\n",
         "tresor.toml:2: limits.message_size: must be a number of bytes or a size like \"25M\", not \"lots\""),
        ("[limits]\nmessage_size = 10\n",
         "tresor.toml:2: limits.message_size: must be from 1024 to 2147483648 bytes, not 10"),
        ("[limits]\nrecipients = 50\n", "tresor.toml:2: limits.recipients: must be an integer from 100 to 100000, not 50"),
        ("[limits]\nconnections_per_ip = 0\n",
         "tresor.toml:2: limits.connections_per_ip: must be an integer from 1 to 100000, not 0"),
        ("submission = { port = 0, colour = 1 }\n", "tresor.toml:1: submission.colour: unknown key"),
        ("[jmap]\nport = 8080\n", "tresor.toml:1: jmap: unknown key"),
        ("[imap]\nport = 143\nstarttls = true\n", "tresor.toml:3: imap.starttls: unknown key"),
        ("[imaps]\n\nport = 99999\n", "tresor.toml:3: imaps.port: must be an integer from 0 to 65535, not 99999"),
        ("[archive]\nseal_key = \"\"\n", "tresor.toml:2: archive.seal_key: must not be empty"),
        ("[archive]\nsealkey = \"/etc/tresor/seal.key\"\n", "tresor.toml:2: archive.sealkey: unknown key"),
        ("[imap]\naddress = \"localhost\"\n",
         "tresor.toml:2: imap.address: must be an IPv4 or IPv6 address, not \"localhost\""),
    ])
    func badInputIsNamedByKeyAndLine(_ text: String, _ message: String) throws {
        let error = #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse(text) }
        #expect(error?.description == message)
    }

    @Test func syntaxErrorsGiveLineAndColumn() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try TresorConfiguration.parse("hostname = \"mx.test\"\n[smtp\nport = 1\n")
        }
        let description = try #require(error?.description)
        #expect(description.hasPrefix("tresor.toml:2: column "), "\(description)")
    }

    @Test func unknownKeyAfterMultilineStringIsFoundOnItsLine() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try TresorConfiguration.parse("hostname = \"a.test\"\ndata_dir = '''\nx = 1\n'''\nx = 2\n")
        }
        #expect(error?.description == "tresor.toml:5: x: unknown key")
    }

    @Test func loadNamesTheFileAndResolvesRelativePaths() async throws {
        try await withTemporaryDirectory { folder in
            let file = folder.appendingPathComponent("tresor.toml")
            try Data("data_dir = \"d\"\n".utf8).write(to: file)
            let configuration = try TresorConfiguration.load(from: file)
            #expect(configuration.dataDirectory?.path == folder.appendingPathComponent("d").standardizedFileURL.path)

            try Data("[smtp]\nport = -1\n".utf8).write(to: file)
            let error = #expect(throws: ConfigurationError.self) { try TresorConfiguration.load(from: file) }
            #expect(error?.description == "\(file.path):2: smtp.port: must be an integer from 0 to 65535, not -1")

            let missing = #expect(throws: ConfigurationError.self) {
                try TresorConfiguration.load(from: folder.appendingPathComponent("none.toml"))
            }
            #expect(missing?.line == nil)
        }
    }
}
