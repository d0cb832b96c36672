import Testing
@testable import MailServer

/// `[auth_checks]` in tresor.toml: off by default, every key read, bad values and unknown keys
/// named with their line.
@Suite struct AuthCheckConfigurationTests {
    @Test func offByDefaultAndJunkForFailures() throws {
        let configuration = try TresorConfiguration.parse("")
        #expect(configuration.authChecks == TresorConfiguration.AuthCheckSettings())
        #expect(!configuration.authChecks.enabled)
        #expect(configuration.authChecks.dmarcReject == .junk && configuration.authChecks.dmarcQuarantine == .junk)
        #expect(configuration.effectiveSettings.contains {
            $0.key == "auth_checks.authserv_id" && $0.value == configuration.hostname
        })
    }

    @Test func readsEveryKey() throws {
        let configuration = try TresorConfiguration.parse("""
            [auth_checks]
            enabled = true
            dmarc_reject = "reject"
            dmarc_quarantine = "record"
            authserv_id = "mx.example.com"
            timeout = "5s"
            """)
        #expect(configuration.authChecks.enabled)
        #expect(configuration.authChecks.dmarcReject == .reject && configuration.authChecks.dmarcQuarantine == .record)
        #expect(configuration.authChecks.authservID == "mx.example.com")
        #expect(configuration.authChecks.timeout == .seconds(5))
        #expect(configuration.effectiveSettings.contains { $0.key == "auth_checks.dmarc_reject" && $0.value == "reject" })
    }

    @Test(arguments: [
        "[auth_checks]\ndmarc_reject = \"bounce\"\n",
        "[auth_checks]\ndmarc_quarantine = \"drop\"\n",
        "[auth_checks]\nenabled = \"yes\"\n",
        "[auth_checks]\nauthserv_id = \"mx example\"\n",
        "[auth_checks]\nauthserv_id = \"a;b\"\n",
        "[auth_checks]\ntimeout = \"1h\"\n",
        "[auth_checks]\nspf = true\n",                  // unknown key
    ])
    func refusesBadValues(_ text: String) {
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse(text) }
    }

    @Test func problemNamesItsLine() {
        do {
            _ = try TresorConfiguration.parse("[auth_checks]\nenabled = true\ndmarc_reject = \"bounce\"\n")
            Issue.record("accepted dmarc_reject = bounce")
        } catch {
            #expect(error.line == 3 && error.key == "auth_checks.dmarc_reject")
        }
    }
}
