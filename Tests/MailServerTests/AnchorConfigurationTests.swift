import Foundation
import Testing
import TestSupport
@testable import MailServer

/// `[anchor]` and `[[anchor.tsa]]` in `tresor.toml`: every key, and errors naming key and line.
@Suite struct AnchorConfigurationTests {
    @Test func everyKeyIsRead() throws {
        let text = """
            [anchor]
            interval = "30m"
            witness = ["auditor@example.net", "archive@example.org"]

            [[anchor.tsa]]
            url = "https://tsa.example.net/tsr"
            ca = "tsa-ca.pem"

            [[anchor.tsa]]
            url = "http://127.0.0.1:3180/"
            ca = "/etc/tresor/other-ca.pem"
            """
        let configuration = try TresorConfiguration.parse(text, relativeTo: URL(fileURLWithPath: "/etc/tresor"))
        let anchor = configuration.anchor
        #expect(anchor.interval == .seconds(1800))
        #expect(anchor.witnessAddresses == ["auditor@example.net", "archive@example.org"])
        #expect(anchor.authorities.map(\.url) == ["https://tsa.example.net/tsr", "http://127.0.0.1:3180/"])
        #expect(anchor.authorities.map(\.caFile.path) == ["/etc/tresor/tsa-ca.pem", "/etc/tresor/other-ca.pem"])
        #expect(anchor.authorities.map(\.key) == ["anchor.tsa[0]", "anchor.tsa[1]"])
    }

    @Test func defaultsWithoutTheTable() throws {
        let anchor = try TresorConfiguration.parse("").anchor
        #expect(anchor.interval == .seconds(3600) && anchor.authorities.isEmpty && anchor.witnessAddresses.isEmpty)
        let single = try TresorConfiguration.parse("""
            [anchor]
            witness = "auditor@example.net"
            [[anchor.tsa]]
            url = "https://tsa.example.net/"
            ca = "ca.pem"
            """)
        #expect(single.anchor.witnessAddresses == ["auditor@example.net"])
    }

    /// (file text, the key the error names, its line, a word of the problem)
    static let mistakes: [(String, String, Int, String)] = [
        ("[anchor]\nintervall = \"1h\"\n", "anchor.intervall", 2, "unknown key"),
        ("[anchor]\ninterval = \"10s\"\n", "anchor.interval", 2, "minute"),
        ("[anchor]\ninterval = \"hourly\"\n", "anchor.interval", 2, "duration"),
        ("[anchor]\nwitness = [\"not an address\"]\n[[anchor.tsa]]\nurl = \"http://a.test/\"\nca = \"ca.pem\"\n",
         "anchor.witness", 2, "mail address"),
        ("[anchor]\nwitness = \"auditor@example.net\"\n", "anchor.witness", 2, "[[anchor.tsa]]"),
        ("[[anchor.tsa]]\nurl = \"http://a.test/\"\nca = \"a.pem\"\n\n[[anchor.tsa]]\nurl = \"http://b.test/\"\n"
            + "ca = \"b.pem\"\npolicy = \"1.2.3\"\n", "anchor.tsa[1].policy", 8, "unknown key"),
        ("[[anchor.tsa]]\nurl = \"http://a.test/\"\n", "anchor.tsa[0].ca", 1, "missing"),
        ("[[anchor.tsa]]\nurl = \"ftp://a.test/\"\nca = \"a.pem\"\n", "anchor.tsa[0].url", 2, "http"),
        ("[[anchor.tsa]]\nurl = \"http://a.test/\"\nca = \"a.pem\"\n[[anchor.tsa]]\nurl = \"http://a.test/\"\nca = \"b.pem\"\n",
         "anchor.tsa[1].url", 5, "twice"),
        ("[anchor]\ntsa = \"http://a.test/\"\n", "anchor.tsa", 2, "array of tables"),
    ]

    @Test(arguments: mistakes)
    func mistakesNameTheKeyAndLine(_ text: String, _ key: String, _ line: Int, _ word: String) {
        let error = #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse(text) }
        #expect(error?.key == key, "\(String(describing: error))")
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.problem.contains(word) == true, "\(String(describing: error))")
    }

    @Test func aCAFileThatIsNoCertificateIsNamedAtStart() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("ca.pem")
            try Data("not a certificate\n".utf8).write(to: file)
            let settings = [TresorConfiguration.TimeStampAuthoritySettings(url: "http://a.test/", caFile: file,
                                                                           key: "anchor.tsa[0]")]
            let error = #expect(throws: ConfigurationError.self) { try AnchorStamper.authorities(settings) }
            #expect(error?.key == "anchor.tsa[0].ca")
            let missing = [TresorConfiguration.TimeStampAuthoritySettings(
                url: "http://a.test/", caFile: dir.appendingPathComponent("none.pem"), key: "anchor.tsa[0]")]
            let unreadable = #expect(throws: ConfigurationError.self) { try AnchorStamper.authorities(missing) }
            #expect(unreadable?.problem.contains("none.pem") == true)
        }
    }
}
