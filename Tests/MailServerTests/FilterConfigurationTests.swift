import Testing
@testable import MailServer

/// `[spam]` and `[antivirus]` in tresor.toml: both off by default, every key read, bad values
/// and unknown keys named.
@Suite struct FilterConfigurationTests {
    @Test func bothOffByDefault() throws {
        let configuration = try TresorConfiguration.parse("")
        #expect(configuration.spam == TresorConfiguration.SpamSettings())
        #expect(configuration.spam.rspamd == nil && configuration.spam.fail == .accept && configuration.spam.junk)
        #expect(!configuration.spam.submission)
        #expect(configuration.antivirus.clamd == nil && configuration.antivirus.fail == .defer)
        #expect(configuration.antivirus.infected == .reject)
    }

    @Test func readsEveryKey() throws {
        let configuration = try TresorConfiguration.parse("""
            [spam]
            rspamd = "127.0.0.1:11333"
            timeout = "5s"
            fail = "defer"
            junk = false
            submission = true
            [antivirus]
            clamd = "/run/clamav/clamd.ctl"
            infected = "quarantine"
            fail = "accept"
            timeout = "1m"
            """)
        #expect(configuration.spam.rspamd == .tcp(host: "127.0.0.1", port: 11333))
        #expect(configuration.spam.timeout == .seconds(5) && configuration.spam.fail == .defer)
        #expect(!configuration.spam.junk && configuration.spam.submission)
        #expect(configuration.antivirus.clamd == .unixSocket(path: "/run/clamav/clamd.ctl"))
        #expect(configuration.antivirus.infected == .quarantine && configuration.antivirus.fail == .accept)
        #expect(configuration.antivirus.timeout == .seconds(60))
        let settings = configuration.effectiveSettings
        #expect(settings.contains { $0.key == "spam.rspamd" && $0.value == "127.0.0.1:11333" })
        #expect(settings.contains { $0.key == "antivirus.infected" && $0.value == "quarantine" })
        #expect(try TresorConfiguration.parse("[antivirus]\nclamd = \"[::1]:3310\"\n").antivirus.clamd
                == .tcp(host: "::1", port: 3310))
    }

    @Test(arguments: [
        "[spam]\nrspamd = \"localhost\"\n",            // no port
        "[spam]\nrspamd = \"/run/rspamd.sock\"\n",     // rspamd over TCP only
        "[spam]\nfail = \"drop\"\n",
        "[spam]\ntimeout = \"soon\"\n",
        "[spam]\ntimeout = \"1h\"\n",                  // more than 10 minutes
        "[spam]\nreject = true\n",                     // unknown key
        "[antivirus]\nclamd = \"127.0.0.1:99999\"\n",
        "[antivirus]\ninfected = \"delete\"\n",
        "[antivirus]\nfail = \"ignore\"\n",
    ])
    func refusesBadValues(_ text: String) {
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse(text) }
    }
}
