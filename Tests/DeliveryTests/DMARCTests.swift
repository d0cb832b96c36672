@testable import Delivery
import Testing

/// RFC 7489: alignment and policy over records served by the test DNS server.
struct DMARCTests {
    struct Case: Sendable, CustomStringConvertible {
        var from: String
        var spf: (SPFResult.Code, String)?
        var dkim: [(DKIMSignatureResult.Code, String)]
        var expected: DMARCEvaluator.Outcome.Code
        var disposition: DMARCRecord.Policy
        var rule: String
        var description: String { "\(from): \(rule)" }
    }

    static let records = TestDNSServer.Records(txt: [
        "_dmarc.relaxed.test": ["v=DMARC1; p=reject; sp=quarantine"],
        "_dmarc.strict.test": ["v=DMARC1; p=quarantine; adkim=s; aspf=s"],
        "_dmarc.watch.test": ["v=DMARC1; p=none"],
        "_dmarc.broken.test": ["v=DMARC1; p=bogus"],
        "_dmarc.two.test": ["v=DMARC1; p=reject", "v=DMARC1; p=none"],
        "_dmarc.example.co.uk": ["v=DMARC1; p=reject"],
    ], serverFailure: ["_dmarc.flaky.test"])

    static let cases: [Case] = [
        Case(from: "relaxed.test", spf: (.pass, "relaxed.test"), dkim: [], expected: .pass, disposition: .none,
             rule: "§3.1.2 SPF pass, same domain"),
        Case(from: "relaxed.test", spf: (.pass, "bounce.relaxed.test"), dkim: [], expected: .pass, disposition: .none,
             rule: "§3.1.2 relaxed SPF: subdomain of the same organizational domain"),
        Case(from: "relaxed.test", spf: nil, dkim: [(.pass, "mail.relaxed.test")], expected: .pass, disposition: .none,
             rule: "§3.1.1 relaxed DKIM alignment"),
        Case(from: "relaxed.test", spf: (.pass, "other.test"), dkim: [(.pass, "other.test")], expected: .fail,
             disposition: .reject, rule: "§3.1 passes that are not aligned; p=reject"),
        Case(from: "relaxed.test", spf: (.fail, "relaxed.test"), dkim: [(.fail, "relaxed.test")], expected: .fail,
             disposition: .reject, rule: "§3.1 aligned but failing"),
        Case(from: "news.relaxed.test", spf: nil, dkim: [], expected: .fail, disposition: .quarantine,
             rule: "§6.6.3 organizational domain's record, sp= for a subdomain"),
        Case(from: "strict.test", spf: (.pass, "bounce.strict.test"), dkim: [(.pass, "mail.strict.test")],
             expected: .fail, disposition: .quarantine, rule: "§3.1 strict: subdomains do not align"),
        Case(from: "strict.test", spf: nil, dkim: [(.fail, "other.test"), (.pass, "strict.test")], expected: .pass,
             disposition: .none, rule: "§3.1.1 any aligned passing signature"),
        Case(from: "watch.test", spf: nil, dkim: [], expected: .fail, disposition: .none, rule: "§6.3 p=none"),
        Case(from: "nopolicy.test", spf: nil, dkim: [], expected: .none, disposition: .none, rule: "§6.6.3 no record"),
        Case(from: "broken.test", spf: nil, dkim: [], expected: .none, disposition: .none,
             rule: "§6.6.3 a record without a valid p= is ignored"),
        Case(from: "two.test", spf: nil, dkim: [], expected: .none, disposition: .none, rule: "§6.6.3 two records"),
        Case(from: "flaky.test", spf: nil, dkim: [], expected: .temperror, disposition: .none, rule: "§6.6.3 DNS failure"),
        Case(from: "shop.example.co.uk", spf: (.pass, "mail.example.co.uk"), dkim: [], expected: .pass,
             disposition: .none, rule: "§3.2 public suffix co.uk: organizational domain example.co.uk"),
        Case(from: "shop.example.co.uk", spf: (.pass, "other.co.uk"), dkim: [], expected: .fail,
             disposition: .reject, rule: "§3.2 another registrant under co.uk does not align"),
    ]

    static let suffixes = PublicSuffixList(text: "// test list\ncom\nuk\nco.uk\n*.kawasaki.jp\n!city.kawasaki.jp\ntest\n")

    @Test func alignmentAndPolicies() async throws {
        let dns = try await TestDNSServer.start(records: Self.records)
        defer { Task { await dns.stop() } }
        let evaluator = DMARCEvaluator(dns: DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: dns.port)]),
                                       suffixes: Self.suffixes)
        for testCase in Self.cases {
            let spf = testCase.spf.map { (SPFResult($0.0, ""), domain: $0.1) }
            let dkim = testCase.dkim.map {
                DKIMSignatureResult(code: $0.0, reason: "", domain: $0.1, selector: "s", identity: nil, algorithm: "rsa-sha256")
            }
            let outcome = await evaluator.evaluate(fromDomain: testCase.from, spf: spf, dkim: dkim)
            #expect(outcome.code == testCase.expected, "\(testCase): \(outcome)")
            #expect(outcome.disposition == testCase.disposition, "\(testCase): \(outcome)")
        }
    }

    @Test(arguments: [
        ("example.com", "example.com"), ("mail.example.com", "example.com"), ("a.b.example.co.uk", "example.co.uk"),
        ("co.uk", "co.uk"), ("www.foo.kawasaki.jp", "www.foo.kawasaki.jp"), ("a.city.kawasaki.jp", "city.kawasaki.jp"),
        ("x.unlisted", "x.unlisted"), ("MAIL.Example.COM.", "example.com"),
    ])
    func organizationalDomains(domain: String, expected: String) {
        #expect(Self.suffixes.organizationalDomain(of: domain) == expected)
    }

    @Test func withoutAListTheLastTwoLabels() {
        #expect(PublicSuffixList(text: "").organizationalDomain(of: "a.b.example.co.uk") == "co.uk")
        #expect(PublicSuffixList(text: "").organizationalDomain(of: "mail.example.com") == "example.com")
    }

    @Test func recordTags() throws {
        let record = try #require(DMARCRecord(parsing: "v=DMARC1; p=Reject; sp=none; adkim=s; pct=20; rua=mailto:x@y.test"))
        #expect(record.policy == .reject)
        #expect(record.subdomainPolicy == DMARCRecord.Policy.none)
        #expect(record.dkimAlignment == .strict)
        #expect(record.spfAlignment == .relaxed)
        #expect(record.percent == 20)
        #expect(DMARCRecord(parsing: "p=reject; v=DMARC1") == nil)
    }
}
