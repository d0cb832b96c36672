import Testing
@testable import MailServer

/// `proxy_protocol` and `proxy_trusted` in a listener's table of tresor.toml.
@Suite struct ProxyConfigurationTests {
    @Test func listenerEnablesTheProxyProtocolWithItsBalancers() throws {
        let configuration = try TresorConfiguration.parse("""
            [smtp]
            proxy_protocol = true
            proxy_trusted = ["10.0.0.1", "2001:db8::5"]
            """)
        #expect(configuration.smtp.proxyProtocol)
        #expect(configuration.smtp.proxyTrusted == ["10.0.0.1", "2001:db8::5"])
        #expect(!configuration.submission.proxyProtocol)
        #expect(configuration.effectiveSettings.contains { $0.key == "smtp.proxy_protocol" && $0.value == "true" })
        #expect(configuration.effectiveSettings.contains { $0.key == "imap.proxy_protocol" && $0.value == "false" })
    }

    @Test func proxyProtocolIsOffByDefault() {
        let configuration = TresorConfiguration()
        for listener in [configuration.smtp, configuration.submission, configuration.submissions, configuration.imap,
                         configuration.imaps, configuration.pop3, configuration.pop3s, configuration.manageSieve.listener] {
            #expect(!listener.proxyProtocol)
        }
    }

    @Test func trustedBalancersMustBeAddresses() {
        let (_, problems) = TresorConfiguration.check("[imap]\nproxy_protocol = true\nproxy_trusted = [\"lb.example\"]\n")
        #expect(problems.map(\.key) == ["imap.proxy_trusted"])
    }
}
