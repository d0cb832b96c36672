import Testing
@testable import MailServer

/// `[quota]` in tresor.toml: no default limit unless set, sizes with suffixes, bad values named.
@Suite struct QuotaConfigurationTests {
    @Test func noLimitByDefault() throws {
        #expect(try TresorConfiguration.parse("").quota.defaultStorage == nil)
    }

    @Test(arguments: [("\"2G\"", 2 << 30), ("\"500M\"", 500 << 20), ("\"64k\"", 64 << 10), ("1000000", 1_000_000)])
    func readsSizes(text: String, octets: Int) throws {
        let quota = try TresorConfiguration.parse("[quota]\ndefault_storage = \(text)\n").quota
        #expect(quota.defaultStorage == octets)
        let settings = try TresorConfiguration.parse("[quota]\ndefault_storage = \(text)\n").effectiveSettings
        #expect(settings.contains { $0.key == "quota.default_storage" && $0.value == "\(octets)" })
    }

    @Test func refusesBadSizesAndUnknownKeys() {
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[quota]\ndefault_storage = \"lots\"\n") }
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[quota]\ndefault_storage = 0\n") }
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[quota]\nstorage = \"1G\"\n") }
    }

    @Test func userQuotaSizesParseAsTheConfigurationDoes() {
        #expect(TresorConfiguration.QuotaSettings.parseSize("2G") == 2 << 30)
        #expect(TresorConfiguration.QuotaSettings.parseSize("x") == nil)
    }
}
