import Foundation
import Testing
import TestSupport
@testable import MailServer

/// The `[pop3]` and `[pop3s]` tables of `tresor.toml` (README.md, "Configuration").
@Suite struct POP3ConfigurationTests {
    @Test func defaultsAreLoopbackOnUnprivilegedPorts() {
        let configuration = TresorConfiguration()
        #expect(configuration.pop3 == .init(enabled: true, address: "127.0.0.1", port: 2110))
        #expect(configuration.pop3s == .init(enabled: true, address: "127.0.0.1", port: 2995))
    }

    @Test func tablesSetEnabledAddressAndPort() throws {
        let configuration = try TresorConfiguration.parse("""
            [pop3]
            address = "::1"
            port = 110
            [pop3s]
            enabled = false
            port = 995
            """)
        #expect(configuration.pop3 == .init(enabled: true, address: "::1", port: 110))
        #expect(configuration.pop3s == .init(enabled: false, address: "127.0.0.1", port: 995))
    }

    @Test(arguments: [
        ("[pop3]\nport = 70000\n", "tresor.toml:2: pop3.port: must be an integer from 0 to 65535, not 70000"),
        ("[pop3s]\nenable = true\n", "tresor.toml:2: pop3s.enable: unknown key"),
        ("pop3 = { address = \"pop.example\" }\n",
         "tresor.toml:1: pop3.address: must be an IPv4 or IPv6 address, not \"pop.example\""),
    ])
    func badInputIsNamedByKeyAndLine(_ text: String, _ message: String) throws {
        let error = #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse(text) }
        #expect(error?.description == message)
    }

    @Test func disabledPOP3ListenersAreNotStarted() async throws {
        var configuration = ServerHarness.configuration()
        configuration.pop3.enabled = false
        configuration.pop3s.enabled = false
        try await ServerHarness.with(users: [], configuration: configuration) { harness in
            #expect(harness.ports["pop3"] == nil && harness.ports["pop3s"] == nil)
            #expect(harness.ports["smtp"] != nil)
        }
    }
}
