/// A parsed SPF record (RFC 7208 §4.6.1, §5, §6): the directives in order and the two
/// modifiers it defines. Domain specifications stay unexpanded macro-strings (§7), because
/// their expansion depends on the check.
///
///     record        = version terms *SP
///     version       = "v=spf1"
///     terms         = *( 1*SP ( directive / modifier ) )
///     directive     = [ qualifier ] mechanism
///     qualifier     = "+" / "-" / "?" / "~"
///     modifier      = redirect / explanation / unknown-modifier
///     unknown-modifier = name "=" macro-string
///     name          = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
public struct SPFRecord: Sendable, Hashable {
    public enum Qualifier: Character, Sendable, Hashable {
        case pass = "+", fail = "-", neutral = "?", softfail = "~"

        var result: SPFResult.Code {
            switch self {
            case .pass: .pass
            case .fail: .fail
            case .neutral: .neutral
            case .softfail: .softfail
            }
        }
    }

    /// RFC 7208 §5: the mechanisms. A nil domain means the current domain (<domain>).
    public enum Mechanism: Sendable, Hashable {
        case all                                                        // §5.1
        case include(String)                                            // §5.2
        case a(domain: String?, ipv4Prefix: Int, ipv6Prefix: Int)       // §5.3
        case mx(domain: String?, ipv4Prefix: Int, ipv6Prefix: Int)      // §5.4
        case ptr(domain: String?)                                       // §5.5
        case ip4([UInt8], prefix: Int)                                  // §5.6
        case ip6([UInt8], prefix: Int)                                  // §5.6
        case exists(String)                                             // §5.7

        /// §4.6.4: the terms that cause DNS queries and count towards the limit of 10.
        var queriesDNS: Bool {
            switch self {
            case .include, .a, .mx, .ptr, .exists: true
            case .all, .ip4, .ip6: false
            }
        }
    }

    public struct Directive: Sendable, Hashable {
        public var qualifier: Qualifier
        public var mechanism: Mechanism
        /// The term as written, for the result's reason.
        public var text: String
    }

    public var directives: [Directive]
    /// §6.1 `redirect=`.
    public var redirect: String?
    /// §6.2 `exp=`: parsed for the syntax rule, not evaluated (the explanation string is only
    /// for a rejection text, and Tresor's reply says "SPF fail" with the domain instead).
    public var explanation: String?

    /// Whether a TXT record is an SPF record: "v=spf1" alone or followed by a space (§4.5),
    /// compared case-insensitively.
    public static func isSPF(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered == "v=spf1" || lowered.hasPrefix("v=spf1 ")
    }

    /// Parses a record that `isSPF` accepted; throws the permerror reason for bad syntax.
    public init(parsing text: String) throws(SPFRecordError) {
        guard Self.isSPF(text) else { throw SPFRecordError("not an SPF record") }
        directives = []
        let terms = text.dropFirst(6).split(separator: " ", omittingEmptySubsequences: true)
        for term in terms.map(String.init) {
            if let modifier = Self.modifier(term) {
                try validateMacroString(modifier.value)
                switch modifier.name.lowercased() {
                case "redirect":  // §6: at most once each, else permerror
                    guard redirect == nil else { throw SPFRecordError("redirect= appears twice") }
                    redirect = try Self.domainSpec(modifier.value, term: term)
                case "exp":
                    guard explanation == nil else { throw SPFRecordError("exp= appears twice") }
                    explanation = try Self.domainSpec(modifier.value, term: term)
                default:
                    break  // §6: unknown modifiers are ignored
                }
            } else {
                directives.append(try Self.directive(term))
            }
        }
    }

    /// `name "=" value` when the term is a modifier: the name is well formed and the "=" comes
    /// before any ":" or "/" (which would make it a mechanism's argument).
    private static func modifier(_ term: String) -> (name: String, value: String)? {
        guard let equals = term.firstIndex(of: "=") else { return nil }
        let name = term[..<equals]
        guard let first = name.first, first.isASCII, first.isLetter,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else { return nil }
        return (String(name), String(term[term.index(after: equals)...]))
    }

    private static func directive(_ term: String) throws(SPFRecordError) -> Directive {
        var body = Substring(term)
        var qualifier = Qualifier.pass  // §4.6.2: "+" when none is written
        if let first = body.first, let written = Qualifier(rawValue: first) {
            qualifier = written
            body = body.dropFirst()
        }
        let nameEnd = body.firstIndex(where: { $0 == ":" || $0 == "/" }) ?? body.endIndex
        let name = body[..<nameEnd].lowercased()
        let rest = body[nameEnd...]
        let mechanism: Mechanism
        switch name {
        case "all":
            guard rest.isEmpty else { throw SPFRecordError("all takes no argument: \(term)") }
            mechanism = .all
        case "include", "exists":
            guard rest.hasPrefix(":") else { throw SPFRecordError("\(name) needs a domain: \(term)") }
            let domain = try domainSpec(String(rest.dropFirst()), term: term)
            mechanism = name == "include" ? .include(domain) : .exists(domain)
        case "a", "mx":
            let (domain, v4, v6) = try domainWithDualCIDR(rest, term: term)
            mechanism = name == "a" ? .a(domain: domain, ipv4Prefix: v4, ipv6Prefix: v6)
                                    : .mx(domain: domain, ipv4Prefix: v4, ipv6Prefix: v6)
        case "ptr":
            if rest.isEmpty {
                mechanism = .ptr(domain: nil)
            } else {
                guard rest.hasPrefix(":") else { throw SPFRecordError("bad ptr term: \(term)") }
                mechanism = .ptr(domain: try domainSpec(String(rest.dropFirst()), term: term))
            }
        case "ip4", "ip6":
            guard rest.hasPrefix(":") else { throw SPFRecordError("\(name) needs an address: \(term)") }
            let argument = rest.dropFirst()
            let slash = argument.firstIndex(of: "/") ?? argument.endIndex
            let maximum = name == "ip4" ? 32 : 128
            var prefix = maximum
            if slash != argument.endIndex {
                prefix = try cidrLength(argument[argument.index(after: slash)...], maximum: maximum, term: term)
            }
            // An ip4 literal has no ":"; an ip6 one is not IPv4-mapped (SPFAddress would fold it).
            let literal = argument[..<slash]
            guard let address = SPFAddress(String(literal)), address.isIPv4 == (name == "ip4"),
                  address.isIPv4 == !literal.contains(":") else {
                throw SPFRecordError("bad address: \(term)")
            }
            mechanism = name == "ip4" ? .ip4(address.bytes, prefix: prefix) : .ip6(address.bytes, prefix: prefix)
        default:
            throw SPFRecordError("unknown mechanism: \(term)")  // §4.6.1: unrecognized mechanisms are permerror
        }
        return Directive(qualifier: qualifier, mechanism: mechanism, text: term)
    }

    /// `[ ":" domain-spec ] [ dual-cidr-length ]` of §5.3 and §5.4.
    ///     dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
    private static func domainWithDualCIDR(_ rest: Substring, term: String) throws(SPFRecordError) -> (String?, Int, Int) {
        var rest = rest
        var domain: String?
        if rest.hasPrefix(":") {
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            domain = try domainSpec(String(rest[rest.index(after: rest.startIndex)..<end]), term: term)
            rest = rest[end...]
        }
        var v4 = 32, v6 = 128
        if rest.hasPrefix("//") {
            v6 = try cidrLength(rest.dropFirst(2), maximum: 128, term: term)
        } else if rest.hasPrefix("/") {
            let body = rest.dropFirst()
            if let double = body.range(of: "//") {
                v4 = try cidrLength(body[..<double.lowerBound], maximum: 32, term: term)
                v6 = try cidrLength(body[double.upperBound...], maximum: 128, term: term)
            } else {
                v4 = try cidrLength(body, maximum: 32, term: term)
            }
        } else if !rest.isEmpty {
            throw SPFRecordError("bad term: \(term)")
        }
        return (domain, v4, v6)
    }

    /// §5.6: `"0" / %x31-39 0*1DIGIT` (0*2DIGIT for IPv6), at most the address width.
    private static func cidrLength(_ text: Substring, maximum: Int, term: String) throws(SPFRecordError) -> Int {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
              text == "0" || text.first != "0", let value = Int(text), value <= maximum else {
            throw SPFRecordError("bad CIDR length: \(term)")
        }
        return value
    }

    /// §4.6.1/§7.1: `domain-spec = macro-string domain-end`, where domain-end is "." toplabel
    /// (with an optional final dot) or a macro-expand. Checked here as far as it can be before
    /// expansion: a valid macro-string that is not empty.
    private static func domainSpec(_ text: String, term: String) throws(SPFRecordError) -> String {
        guard !text.isEmpty else { throw SPFRecordError("empty domain: \(term)") }
        try validateMacroString(text)
        if !text.hasSuffix("}") {
            var labels = text.split(separator: ".", omittingEmptySubsequences: false)
            if labels.last == "" { labels.removeLast() }
            // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
            guard labels.count >= 2, let top = labels.last, !top.isEmpty,
                  top.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                  top.first != "-", top.last != "-",
                  !top.allSatisfy(\.isNumber) else {
                throw SPFRecordError("domain does not end in a top label: \(term)")
            }
        }
        return text
    }
}

/// Why a record is a permerror (RFC 7208 §4.6).
public struct SPFRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Checks the macro-string syntax of RFC 7208 §7.1 without expanding it.
func validateMacroString(_ text: String) throws(SPFRecordError) {
    _ = try SPFMacro.expand(text, context: .syntaxOnly, isExplanation: false)
}
