@testable import Delivery
import Foundation
import Testing
import TestSupport

/// check_host() over the test DNS server: each case's expected result is written from RFC 7208,
/// and python3-spf (pyspf, Debian), asking the same server, must agree with it.
struct SPFCheckTests {
    struct Case: Sendable, CustomStringConvertible {
        var ip: String
        var mailFrom: String
        var helo = "helo.invalid"
        var expected: SPFResult.Code
        /// The rule the expectation follows.
        var rule: String
        var description: String { "\(mailFrom.isEmpty ? "helo " + helo : mailFrom) from \(ip) → \(expected) (\(rule))" }
    }

    static let records = TestDNSServer.Records(
        mx: ["mx.test": [.init(preference: 10, exchange: "mail.mx.test")],
             "mxc.test": [.init(preference: 10, exchange: "mail.mx.test")]],
        a: ["a.test": ["192.0.2.20"], "host.a.test": ["198.51.100.7"], "mail.mx.test": ["192.0.2.30"],
            "192.0.2.40._spf.macro.test": ["127.0.0.2"], "john.users.local.test": ["127.0.0.2"],
            "10.2.0.192.in-addr._spf.rev.test": ["127.0.0.2"],
            "h1.many.test": ["198.51.100.1"], "h2.many.test": ["198.51.100.1"], "h3.many.test": ["198.51.100.1"],
            "h4.many.test": ["198.51.100.1"], "h5.many.test": ["198.51.100.1"], "h6.many.test": ["198.51.100.1"],
            "h7.many.test": ["198.51.100.1"], "h8.many.test": ["198.51.100.1"], "h9.many.test": ["198.51.100.1"],
            "h10.many.test": ["198.51.100.1"], "h11.many.test": ["198.51.100.1"]],
        aaaa: ["a6.test": ["2001:db8::25"]],
        txt: [
            "pass.test": ["v=spf1 ip4:192.0.2.0/24 -all"],
            "soft.test": ["v=spf1 ~all"],
            "neutral.test": ["v=spf1 ?all"],
            "nothing.test": ["google-site-verification=abc"],
            "two.test": ["v=spf1 -all", "v=spf1 +all"],
            "bad.test": ["v=spf1 foo:bar -all"],
            "a.test": ["v=spf1 a -all"],
            "acidr.test": ["v=spf1 a:host.a.test/24 -all"],
            "a6.test": ["v=spf1 a//64 -all"],
            "mx.test": ["v=spf1 mx -all"],
            "mxc.test": ["v=spf1 mx/24 -all"],
            "inc.test": ["v=spf1 include:pass.test -all"],
            "incsoft.test": ["v=spf1 include:soft.test -all"],
            "incnone.test": ["v=spf1 include:nothing.test -all"],
            "redir.test": ["v=spf1 redirect=pass.test"],
            "redirnone.test": ["v=spf1 redirect=nothing.test"],
            "redirall.test": ["v=spf1 -all redirect=pass.test"],
            "six.test": ["v=spf1 ip6:2001:db8::/32 -all"],
            "macro.test": ["v=spf1 exists:%{i}._spf.%{d} -all"],
            "local.test": ["v=spf1 exists:%{l1r-}.users.%{d2} -all"],
            "rev.test": ["v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all"],
            "helo.test": ["v=spf1 ip4:192.0.2.50 -all"],
            "loop.test": ["v=spf1 include:loop.test -all"],
            "many.test": ["v=spf1 a:h1.many.test a:h2.many.test a:h3.many.test a:h4.many.test a:h5.many.test "
                          + "a:h6.many.test a:h7.many.test a:h8.many.test a:h9.many.test a:h10.many.test "
                          + "a:h11.many.test -all"],
            "ten.test": ["v=spf1 a:h1.many.test a:h2.many.test a:h3.many.test a:h4.many.test a:h5.many.test "
                         + "a:h6.many.test a:h7.many.test a:h8.many.test a:h9.many.test a:h10.many.test -all"],
            "void3.test": ["v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test -all"],
            "void2.test": ["v=spf1 a:n1.void.test a:n2.void.test -all"],
            "cidr.test": ["v=spf1 ip4:192.0.2.0/33 -all"],
            "unknownmod.test": ["v=spf1 moo=cow ip4:192.0.2.10 -all"],
            "upper.test": ["V=SPF1 IP4:192.0.2.10 -ALL"],
            "plus.test": ["v=spf1 -ip4:192.0.2.10 +all"],
            "incerr.test": ["v=spf1 include:tmp.test -all"],
            "long.test": ["v=spf1 " + (1...20).map { "ip4:203.0.113.\($0)" }.joined(separator: " ") + " ip4:192.0.2.10 -all"],
        ],
        serverFailure: ["tmp.test"])

    static let cases: [Case] = [
        Case(ip: "192.0.2.10", mailFrom: "a@pass.test", expected: .pass, rule: "§5.6 ip4 in the network"),
        Case(ip: "198.51.100.1", mailFrom: "a@pass.test", expected: .fail, rule: "§5.1 -all"),
        Case(ip: "198.51.100.1", mailFrom: "a@soft.test", expected: .softfail, rule: "§4.6.2 ~"),
        Case(ip: "198.51.100.1", mailFrom: "a@neutral.test", expected: .neutral, rule: "§4.6.2 ?"),
        Case(ip: "198.51.100.1", mailFrom: "a@nothing.test", expected: .none, rule: "§4.5 no SPF record"),
        Case(ip: "198.51.100.1", mailFrom: "a@nonexistent.test", expected: .none, rule: "§4.4 NXDOMAIN"),
        Case(ip: "198.51.100.1", mailFrom: "a@two.test", expected: .permerror, rule: "§4.5 two records"),
        Case(ip: "198.51.100.1", mailFrom: "a@bad.test", expected: .permerror, rule: "§4.6.1 unknown mechanism"),
        Case(ip: "192.0.2.20", mailFrom: "a@a.test", expected: .pass, rule: "§5.3 a"),
        Case(ip: "192.0.2.21", mailFrom: "a@a.test", expected: .fail, rule: "§5.3 a, other address"),
        Case(ip: "198.51.100.200", mailFrom: "a@acidr.test", expected: .pass, rule: "§5.3 a with cidr-length"),
        Case(ip: "2001:db8::99", mailFrom: "a@a6.test", expected: .pass, rule: "§5.3 AAAA with ip6-cidr-length"),
        Case(ip: "2001:db9::25", mailFrom: "a@a6.test", expected: .fail, rule: "§5.3 AAAA, other network"),
        Case(ip: "192.0.2.30", mailFrom: "a@mx.test", expected: .pass, rule: "§5.4 mx"),
        Case(ip: "192.0.2.31", mailFrom: "a@mx.test", expected: .fail, rule: "§5.4 mx, other address"),
        Case(ip: "192.0.2.31", mailFrom: "a@mxc.test", expected: .pass, rule: "§5.4 mx with cidr-length"),
        Case(ip: "192.0.2.10", mailFrom: "a@inc.test", expected: .pass, rule: "§5.2 include pass"),
        Case(ip: "203.0.113.1", mailFrom: "a@inc.test", expected: .fail, rule: "§5.2 include fail is no match"),
        Case(ip: "203.0.113.1", mailFrom: "a@incsoft.test", expected: .fail, rule: "§5.2 include softfail is no match"),
        Case(ip: "203.0.113.1", mailFrom: "a@incnone.test", expected: .permerror, rule: "§5.2 include none"),
        Case(ip: "203.0.113.1", mailFrom: "a@incerr.test", expected: .temperror, rule: "§5.2 include temperror"),
        Case(ip: "192.0.2.10", mailFrom: "a@redir.test", expected: .pass, rule: "§6.1 redirect"),
        Case(ip: "203.0.113.1", mailFrom: "a@redir.test", expected: .fail, rule: "§6.1 redirect's result"),
        Case(ip: "203.0.113.1", mailFrom: "a@redirnone.test", expected: .permerror, rule: "§6.1 redirect to none"),
        Case(ip: "192.0.2.10", mailFrom: "a@redirall.test", expected: .fail, rule: "§6.1 all wins over redirect"),
        Case(ip: "2001:db8:1::1", mailFrom: "a@six.test", expected: .pass, rule: "§5.6 ip6"),
        Case(ip: "2001:db9::1", mailFrom: "a@six.test", expected: .fail, rule: "§5.6 ip6 outside"),
        Case(ip: "192.0.2.10", mailFrom: "a@six.test", expected: .fail, rule: "§5.6 ip6 never matches IPv4"),
        Case(ip: "192.0.2.40", mailFrom: "a@macro.test", expected: .pass, rule: "§5.7 exists with %{i} %{d}"),
        Case(ip: "192.0.2.41", mailFrom: "a@macro.test", expected: .fail, rule: "§5.7 exists, no A"),
        Case(ip: "192.0.2.1", mailFrom: "john-doe@local.test", expected: .pass, rule: "§7.3 %{l1r-} %{d2}"),
        Case(ip: "192.0.2.1", mailFrom: "jane-doe@local.test", expected: .fail, rule: "§7.3 %{l1r-}, other local part"),
        Case(ip: "192.0.2.10", mailFrom: "a@rev.test", expected: .pass, rule: "§7.3 %{ir}.%{v}"),
        Case(ip: "192.0.2.50", mailFrom: "", helo: "helo.test", expected: .pass, rule: "§2.3 null sender: HELO"),
        Case(ip: "192.0.2.51", mailFrom: "", helo: "helo.test", expected: .fail, rule: "§2.3 null sender: HELO fails"),
        Case(ip: "192.0.2.1", mailFrom: "a@loop.test", expected: .permerror, rule: "§4.6.4 include loop hits the limit"),
        Case(ip: "192.0.2.1", mailFrom: "a@many.test", expected: .permerror, rule: "§4.6.4 11 DNS terms"),
        Case(ip: "192.0.2.1", mailFrom: "a@ten.test", expected: .fail, rule: "§4.6.4 10 DNS terms are allowed"),
        Case(ip: "192.0.2.1", mailFrom: "a@void3.test", expected: .permerror, rule: "§4.6.4 three void lookups"),
        Case(ip: "192.0.2.1", mailFrom: "a@void2.test", expected: .fail, rule: "§4.6.4 two void lookups are allowed"),
        Case(ip: "192.0.2.1", mailFrom: "a@tmp.test", expected: .temperror, rule: "§4.4 SERVFAIL"),
        Case(ip: "192.0.2.1", mailFrom: "a@cidr.test", expected: .permerror, rule: "§5.6 cidr-length over 32"),
        Case(ip: "192.0.2.10", mailFrom: "a@unknownmod.test", expected: .pass, rule: "§6 unknown modifier ignored"),
        Case(ip: "192.0.2.10", mailFrom: "a@upper.test", expected: .pass, rule: "§4.5/§4.6.1 case-insensitive"),
        Case(ip: "192.0.2.10", mailFrom: "a@plus.test", expected: .fail, rule: "§4.6.2 first match wins"),
        Case(ip: "192.0.2.11", mailFrom: "a@plus.test", expected: .pass, rule: "§4.6.2 + by default"),
        Case(ip: "192.0.2.10", mailFrom: "a@long.test", expected: .pass, rule: "§3.3 strings joined"),
        Case(ip: "192.0.2.1", mailFrom: "a@localhost", expected: .none, rule: "§4.3 not a multi-label domain"),
    ]

    @Test func evaluatorAndPyspfAgreeWithTheRFC() async throws {
        let dns = try await TestDNSServer.start(records: Self.records)
        defer { Task { await dns.stop() } }
        let resolver = DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: dns.port)], timeout: .seconds(10))
        for testCase in Self.cases {
            let address = try #require(SPFAddress(testCase.ip))
            let (result, identity, _) = await SPFEvaluator.checkSender(address: address, mailFrom: testCase.mailFrom,
                                                                        helo: testCase.helo, dns: resolver)
            #expect(result.code == testCase.expected, "\(testCase): \(result)")
            #expect(identity == (testCase.mailFrom.isEmpty ? .helo : .mailFrom))
        }
        guard try Pyspf.available() else { return }
        let answers = try Pyspf.check(Self.cases.map { ($0.ip, $0.mailFrom, $0.helo) }, dnsPort: dns.port)
        for (testCase, answer) in zip(Self.cases, answers) {
            #expect(answer == testCase.expected.rawValue, "pyspf: \(testCase) gave \(answer)")
        }
        #expect(answers.count == Self.cases.count)
    }

    @Test func ipv4MappedClientIsIPv4() throws {
        let mapped = try #require(SPFAddress("::ffff:192.0.2.10"))
        #expect(mapped.isIPv4)
        #expect(mapped.matches([192, 0, 2, 0], prefixLength: 24))
    }
}

/// pyspf (Debian's python3-spf), pointed at the test DNS server through dnspython's default
/// resolver.
enum Pyspf {
    static let python = "/usr/bin/python3"

    /// Whether `spf` imports; under CI=true a missing pyspf is a failure (.ci/run installs it).
    static func available() throws -> Bool {
        try DebianPython.canImport("spf, dns.resolver", package: "python3-spf")
    }

    static let script = #"""
        import json, sys
        import dns.resolver, spf
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ['127.0.0.1']
        resolver.port = int(sys.argv[1])
        dns.resolver.default_resolver = resolver
        for ip, sender, helo in json.load(open(sys.argv[2])):
            result, _ = spf.check2(i=ip, s=sender, h=helo, timeout=20)
            print(result)
        """#

    /// pyspf's result names, one per (ip, MAIL FROM, HELO).
    static func check(_ cases: [(String, String, String)], dnsPort: Int) throws -> [String] {
        let folder = try makeTemporaryDirectory(prefix: "tresor-pyspf")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scriptURL = folder.appendingPathComponent("check.py")
        try Data(script.utf8).write(to: scriptURL)
        let casesURL = folder.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: cases.map { [$0.0, $0.1, $0.2] }).write(to: casesURL)
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptURL.path, String(dnsPort), casesURL.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
