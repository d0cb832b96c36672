import Testing
@testable import MailServer

/// RFC 8601 §5: fields claiming our authserv-id are renamed, others stay; only the header counts.
@Suite struct ClaimedAuthenticationResultsTests {
    static func disarm(_ text: String) -> (String, Int) {
        let (message, renamed) = ClaimedAuthenticationResults.disarm(Array(text.utf8), authservID: "mx.example.com")
        return (String(decoding: message, as: UTF8.self), renamed)
    }

    @Test(arguments: [
        ("Authentication-Results: mx.example.com; dmarc=pass\r\n", true),
        ("authentication-results:MX.Example.COM;spf=pass\r\n", true),
        ("Authentication-Results: (forged) mx.example.com 1; dkim=pass\r\n", true),
        ("Authentication-Results:\r\n mx.example.com;\r\n\tdkim=pass\r\n", true),
        ("Authentication-Results: \"mx.example.com\"; dkim=pass\r\n", true),
        ("Authentication-Results: mx.example.com.evil.test; dmarc=pass\r\n", false),
        ("Authentication-Results: relay.other.test; dmarc=pass\r\n", false),
        ("X-Authentication-Results: mx.example.com; dmarc=pass\r\n", false),
    ])
    func renamesOnlyOurName(_ field: String, _ claimsOurs: Bool) {
        let (output, renamed) = Self.disarm("Received: from a\r\n" + field + "Subject: x\r\n\r\nbody\r\n")
        #expect(renamed == (claimsOurs ? 1 : 0))
        #expect(output.contains("X-Untrusted-") == claimsOurs)
        #expect(output.hasSuffix("Subject: x\r\n\r\nbody\r\n"))
    }

    @Test func bodyIsNotTouched() {
        let text = "Subject: x\r\n\r\nAuthentication-Results: mx.example.com; dmarc=pass\r\n"
        #expect(Self.disarm(text) == (text, 0))
    }
}
