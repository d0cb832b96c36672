@testable import Delivery
import Testing

/// RFC 7208 §7.4's worked examples, and record syntax that must be permerror (§4.6).
struct SPFMacroTests {
    static let v4 = SPFMacro.Context(sender: "strong-bad@email.example.com", domain: "email.example.com",
                                     address: SPFAddress("192.0.2.3"), helo: "mx.example.org")

    @Test(arguments: [
        ("%{s}", "strong-bad@email.example.com"), ("%{o}", "email.example.com"), ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"), ("%{d3}", "email.example.com"), ("%{d2}", "example.com"),
        ("%{d1}", "com"), ("%{dr}", "com.example.email"), ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"), ("%{l-}", "strong.bad"), ("%{lr}", "strong-bad"), ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"), ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{h}", "mx.example.org"), ("%%%_%-", "% %20"), ("%{S}", "strong-bad%40email.example.com"),
    ])
    func rfcExamples(macro: String, expected: String) throws {
        #expect(try SPFMacro.expand(macro, context: Self.v4, isExplanation: false) == expected)
    }

    @Test func ipv6Nibbles() throws {
        var context = Self.v4
        context.address = SPFAddress("2001:db8::cb01")
        #expect(try SPFMacro.expand("%{ir}.%{v}._spf.%{d2}", context: context, isExplanation: false)
                == "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com")
    }

    @Test func noLocalPartIsPostmaster() throws {
        var context = Self.v4
        context.sender = "email.example.com"
        #expect(try SPFMacro.expand("%{l}", context: context, isExplanation: false) == "postmaster")
    }

    @Test(arguments: ["%{x}", "%{d0}", "%{d", "%a", "%{c}", "%{d2x}"])
    func badMacros(macro: String) {
        #expect(throws: SPFRecordError.self) { try SPFMacro.expand(macro, context: Self.v4, isExplanation: false) }
    }

    @Test(arguments: [
        "v=spf1 foo:bar -all", "v=spf1 ip4:192.0.2.0/33", "v=spf1 ip4:192.0.2.0/024", "v=spf1 ip6:192.0.2.1",
        "v=spf1 ip4:2001:db8::1", "v=spf1 redirect=a.test redirect=b.test", "v=spf1 all:x", "v=spf1 include",
        "v=spf1 a:example", "v=spf1 exists:%{q}.test", "v=spf1 a/129", "v=spf1 mx//129",
    ])
    func recordSyntaxErrors(record: String) {
        #expect(throws: SPFRecordError.self) { try SPFRecord(parsing: record) }
    }

    @Test func recordParts() throws {
        let record = try SPFRecord(parsing: "v=spf1 -ip4:192.0.2.0/24 ~a:mail.example.com/28//64 mx ?all moo=cow redirect=_spf.%{d}")
        #expect(record.directives.map(\.qualifier) == [.fail, .softfail, .pass, .neutral])
        #expect(record.directives[0].mechanism == .ip4([192, 0, 2, 0], prefix: 24))
        #expect(record.directives[1].mechanism == .a(domain: "mail.example.com", ipv4Prefix: 28, ipv6Prefix: 64))
        #expect(record.directives[2].mechanism == .mx(domain: nil, ipv4Prefix: 32, ipv6Prefix: 128))
        #expect(record.redirect == "_spf.%{d}")
    }
}
