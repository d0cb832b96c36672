/// The DNS questions an SPF check asks; DNSResolver answers them, tests can too.
public protocol SPFNameLookup: Sendable {
    /// NXDOMAIN is `.noSuchName`; a transient failure throws.
    func lookup(_ name: DNSName, type: DNSRecordType) async throws(DNSResolutionError) -> DNSLookupResult
}

extension DNSResolver: SPFNameLookup {}

/// check_host() of RFC 7208 §4, over one shared budget of DNS-querying terms (§4.6.4).
///
/// Invariants: at most 10 terms that query DNS (include, a, mx, ptr, exists, redirect) across
/// the whole evaluation, includes and redirects counted once each, else permerror; at most 2
/// lookups that find nothing ("void lookups"), else permerror; an `mx` term reads at most 10
/// MX records. Every DNS failure is a temperror (§4.4, §5). A loop of includes or redirects
/// ends at the term limit.
public struct SPFEvaluator: Sendable {
    /// §4.6.4.
    public static let maximumDNSTerms = 10
    public static let maximumVoidLookups = 2
    public static let maximumMXRecords = 10

    private let dns: any SPFNameLookup
    private var termsQueried = 0
    private var voidLookups = 0

    public init(dns: any SPFNameLookup) { self.dns = dns }

    /// The check of RFC 7208 §2.3/§2.4 for one SMTP transaction: MAIL FROM's domain, or the
    /// HELO name ("postmaster@" + HELO as the sender) when the reverse-path is null.
    public static func checkSender(address: SPFAddress, mailFrom: String, helo: String,
                                   dns: any SPFNameLookup) async -> (SPFResult, SPFIdentity, domain: String) {
        var evaluator = SPFEvaluator(dns: dns)
        if let at = mailFrom.lastIndex(of: "@"), !mailFrom.isEmpty {
            let domain = String(mailFrom[mailFrom.index(after: at)...])
            let sender = at == mailFrom.startIndex ? "postmaster@" + domain : mailFrom  // §4.3
            let result = await evaluator.checkHost(address: address, domain: domain, sender: sender, helo: helo)
            return (result, .mailFrom, domain)
        }
        let result = await evaluator.checkHost(address: address, domain: helo, sender: "postmaster@" + helo, helo: helo)
        return (result, .helo, helo)
    }

    /// check_host(<ip>, <domain>, <sender>), RFC 7208 §4.
    public mutating func checkHost(address: SPFAddress, domain: String, sender: String, helo: String) async -> SPFResult {
        do {
            return try await evaluate(address: address, domain: domain, sender: sender, helo: helo)
        } catch {
            return error.result
        }
    }

    private enum Abort: Error {
        case temperror(String), permerror(String)

        var result: SPFResult {
            switch self {
            case .temperror(let why): SPFResult(.temperror, why)
            case .permerror(let why): SPFResult(.permerror, why)
            }
        }
    }

    private mutating func evaluate(address: SPFAddress, domain: String, sender: String,
                                   helo: String) async throws(Abort) -> SPFResult {
        // §4.3: a domain that is not a multi-label FQDN, or whose labels are too long, is "none".
        var trimmed = domain
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        guard trimmed.contains("."), let name = try? DNSName(trimmed), !name.labels.isEmpty else {
            return SPFResult(.none, "\(domain) is not a domain name")
        }
        // §4.4/§4.5: the TXT records at the domain that start with "v=spf1"; none is "none",
        // two or more is permerror, a DNS failure is temperror.
        let answer: DNSLookupResult
        do { answer = try await dns.lookup(name, type: .txt) } catch { throw .temperror("TXT \(trimmed): \(error)") }
        let texts = answer.records.compactMap { data -> String? in
            guard case .txt(let strings) = data else { return nil }
            return String(decoding: strings.joined(), as: UTF8.self)  // §3.3: joined without spaces
        }.filter(SPFRecord.isSPF)
        guard !texts.isEmpty else { return SPFResult(.none, "no SPF record at \(trimmed)") }
        guard texts.count == 1 else { throw .permerror("\(texts.count) SPF records at \(trimmed)") }
        let record: SPFRecord
        do { record = try SPFRecord(parsing: texts[0]) } catch { throw .permerror("\(trimmed): \(error)") }

        let context = SPFMacro.Context(sender: sender, domain: trimmed, address: address, helo: helo)
        for directive in record.directives {
            if directive.mechanism.queriesDNS { try countTerm() }
            if try await matches(directive.mechanism, context: context) {
                return SPFResult(directive.qualifier.result, "\(trimmed): matched \(directive.text)")
            }
        }
        // §6.1: redirect applies only when no mechanism matched and there is no `all`
        // (an `all` always matches, so reaching here already means none did).
        if let redirect = record.redirect {
            try countTerm()
            let target = try expandDomain(redirect, context: context)
            let result = try await evaluate(address: address, domain: target, sender: sender, helo: helo)
            // §6.1: a redirect to a domain without a record is permerror.
            if result.code == .none { throw .permerror("redirect to \(target), which has no SPF record") }
            return result
        }
        return SPFResult(.neutral, "\(trimmed): no term matched")  // §4.7
    }

    private mutating func countTerm() throws(Abort) {
        termsQueried += 1
        if termsQueried > Self.maximumDNSTerms {
            throw .permerror("more than \(Self.maximumDNSTerms) DNS-querying terms")
        }
    }

    private func expandDomain(_ spec: String, context: SPFMacro.Context) throws(Abort) -> String {
        var expanded: String
        do { expanded = try SPFMacro.expand(spec, context: context, isExplanation: false) } catch {
            throw .permerror(error.description)
        }
        if expanded.hasSuffix(".") { expanded.removeLast() }
        // §7.3: longer than 253 characters: drop labels from the left until it fits.
        while expanded.utf8.count > 253, let dot = expanded.firstIndex(of: ".") {
            expanded = String(expanded[expanded.index(after: dot)...])
        }
        return expanded
    }

    private mutating func matches(_ mechanism: SPFRecord.Mechanism, context: SPFMacro.Context) async throws(Abort) -> Bool {
        let address = context.address!
        switch mechanism {
        case .all:  // §5.1
            return true
        case .include(let spec):  // §5.2: the table of results of the recursive check
            let target = try expandDomain(spec, context: context)
            let result = try await evaluate(address: address, domain: target, sender: context.sender, helo: context.helo)
            switch result.code {
            case .pass: return true
            case .fail, .softfail, .neutral: return false
            case .temperror: throw .temperror(result.reason)
            case .permerror: throw .permerror(result.reason)
            case .none: throw .permerror("include:\(target) has no SPF record")
            }
        case .a(let spec, let v4, let v6):  // §5.3
            let target = try spec.map { spec throws(Abort) in try expandDomain(spec, context: context) } ?? context.domain
            let found = try await addresses(of: target, ipv6: !address.isIPv4, countVoid: true)
            return found.contains { address.matches($0, prefixLength: address.isIPv4 ? v4 : v6) }
        case .mx(let spec, let v4, let v6):  // §5.4
            let target = try spec.map { spec throws(Abort) in try expandDomain(spec, context: context) } ?? context.domain
            let answer = try await lookup(target, type: .mx, countVoid: true)
            let exchanges = answer.compactMap { data -> String? in
                if case .mx(_, let exchange) = data { return exchange.description }
                return nil
            }
            // §4.6.4: more than 10 MX records is permerror.
            guard exchanges.count <= Self.maximumMXRecords else { throw .permerror("\(target) has more than 10 MX records") }
            for exchange in exchanges where exchange != "." {
                let found = try await addresses(of: exchange, ipv6: !address.isIPv4, countVoid: false)
                if found.contains(where: { address.matches($0, prefixLength: address.isIPv4 ? v4 : v6) }) { return true }
            }
            return false
        case .ptr:
            // §5.5: "SHOULD NOT be used". The resolver does not read PTR data, so this term
            // counts towards the limit (done by the caller) and never matches — the outcome the
            // RFC gives when no validated name is found.
            return false
        case .ip4(let network, let prefix), .ip6(let network, let prefix):  // §5.6
            return address.matches(network, prefixLength: prefix)
        case .exists(let spec):  // §5.7: an A query, whatever the client's family
            let target = try expandDomain(spec, context: context)
            return try await !addresses(of: target, ipv6: false, countVoid: true).isEmpty
        }
    }

    private mutating func addresses(of domain: String, ipv6: Bool, countVoid: Bool) async throws(Abort) -> [[UInt8]] {
        try await lookup(domain, type: ipv6 ? .aaaa : .a, countVoid: countVoid).compactMap { data in
            switch data {
            case .a(let bytes), .aaaa(let bytes): bytes
            default: nil
            }
        }
    }

    /// One query; NXDOMAIN or an empty answer is a void lookup (§4.6.4), and a name that is
    /// not a valid DNS name finds nothing.
    private mutating func lookup(_ domain: String, type: DNSRecordType, countVoid: Bool) async throws(Abort) -> [DNSRecordData] {
        guard let name = try? DNSName(domain), !name.isRoot else { return [] }
        let records: [DNSRecordData]
        do {
            records = try await dns.lookup(name, type: type).records.filter { data in
                switch (data, type) {
                case (.a, .a), (.aaaa, .aaaa), (.mx, .mx): true
                default: false
                }
            }
        } catch {
            throw .temperror("\(type) \(domain): \(error)")
        }
        if records.isEmpty, countVoid {
            voidLookups += 1
            if voidLookups > Self.maximumVoidLookups { throw .permerror("more than \(Self.maximumVoidLookups) void lookups") }
        }
        return records
    }
}
