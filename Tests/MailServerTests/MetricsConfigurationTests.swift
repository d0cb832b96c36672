import Testing
@testable import MailServer

/// `[metrics]` in tresor.toml: off and on loopback by default, each key read, an unknown key named.
@Suite struct MetricsConfigurationTests {
    @Test func offOnLoopbackByDefault() throws {
        let metrics = try TresorConfiguration.parse("").metrics
        #expect(metrics == TresorConfiguration.MetricsSettings())
        #expect(!metrics.enabled)
        #expect(metrics.address == "127.0.0.1")
        #expect(metrics.port == 9464)
    }

    @Test func readsEveryKey() throws {
        let metrics = try TresorConfiguration.parse("""
            [metrics]
            enabled = true
            address = "::1"
            port = 9100
            """).metrics
        #expect(metrics.enabled)
        #expect(metrics.address == "::1")
        #expect(metrics.port == 9100)
        let settings = try TresorConfiguration.parse("[metrics]\nenabled = true\n").effectiveSettings
        #expect(settings.contains { $0.key == "metrics.enabled" && $0.value == "true" })
    }

    @Test func refusesAnUnknownKeyAndABadPort() {
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[metrics]\nenable = true\n") }
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[metrics]\nport = 70000\n") }
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[metrics]\naddress = \"localhost\"\n") }
    }
}
