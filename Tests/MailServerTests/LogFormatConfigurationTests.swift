import ServerKit
import Testing
@testable import MailServer

@Suite struct LogFormatConfigurationTests {
    @Test func textUnlessTheFileSaysJSON() throws {
        #expect(try TresorConfiguration.parse("").logFormat == .text)
        #expect(try TresorConfiguration.parse("log_format = \"json\"\n").logFormat == .json)
        let effective = try TresorConfiguration.parse("log_format = \"json\"\n").effectiveSettings
        #expect(effective.first { $0.key == "log_format" }?.value == "json")
    }

    @Test func anotherFormatIsRefusedNamingTheKeyAndLine() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try TresorConfiguration.parse("hostname = \"mx.test\"\nlog_format = \"xml\"\n")
        }
        #expect(error?.key == "log_format")
        #expect(error?.line == 2)
    }
}
