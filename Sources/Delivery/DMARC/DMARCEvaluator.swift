/// The DMARC check of RFC 7489 §6.6: policy discovery at the From domain, then its
/// organizational domain (§6.6.3), identifier alignment (§3.1) of the SPF and DKIM results, and
/// the policy that applies to a failing message.
public struct DMARCEvaluator: Sendable {
    private let dns: any SPFNameLookup
    private let suffixes: PublicSuffixList

    public init(dns: any SPFNameLookup, suffixes: PublicSuffixList) {
        self.dns = dns
        self.suffixes = suffixes
    }

    public struct Outcome: Sendable, Hashable {
        /// RFC 8601 §2.7.3 result names.
        public enum Code: String, Sendable, Hashable {
            case none, pass, fail, temperror, permerror
        }

        public var code: Code
        /// The RFC5322.From domain (`header.from`).
        public var fromDomain: String
        /// The policy that applies when `code` is fail (p=, or sp= for a subdomain); `.none` otherwise.
        public var disposition: DMARCRecord.Policy
        public var reason: String

        public init(code: Code, fromDomain: String, disposition: DMARCRecord.Policy, reason: String) {
            self.code = code
            self.fromDomain = fromDomain
            self.disposition = disposition
            self.reason = reason
        }
    }

    /// `fromDomain` is the domain of the message's From address; `spf` the SPF result with the
    /// domain it checked; `dkim` the per-signature results.
    public func evaluate(fromDomain: String, spf: (SPFResult, domain: String)?,
                         dkim: [DKIMSignatureResult]) async -> Outcome {
        let from = fromDomain.lowercased()
        let organizational = suffixes.organizationalDomain(of: from)
        // §6.6.3 steps 1–3: the From domain's record, else the organizational domain's.
        let record: DMARCRecord
        let atOrganizationalDomain: Bool
        switch await policy(at: from) {
        case .found(let found):
            record = found
            atOrganizationalDomain = false
        case .temporary(let why):
            return Outcome(code: .temperror, fromDomain: from, disposition: .none, reason: why)
        case .absent:
            guard organizational != from else {
                return Outcome(code: .none, fromDomain: from, disposition: .none, reason: "no DMARC record")
            }
            switch await policy(at: organizational) {
            case .found(let found):
                record = found
                atOrganizationalDomain = true
            case .temporary(let why):
                return Outcome(code: .temperror, fromDomain: from, disposition: .none, reason: why)
            case .absent:
                return Outcome(code: .none, fromDomain: from, disposition: .none, reason: "no DMARC record")
            }
        }
        // §3.1.1: an aligned DKIM pass; §3.1.2: an aligned SPF pass.
        if let aligned = dkim.first(where: { $0.code == .pass && aligns($0.domain, from, record.dkimAlignment) }) {
            return Outcome(code: .pass, fromDomain: from, disposition: .none, reason: "DKIM d=\(aligned.domain) aligned")
        }
        if let spf, spf.0.code == .pass, aligns(spf.domain, from, record.spfAlignment) {
            return Outcome(code: .pass, fromDomain: from, disposition: .none, reason: "SPF \(spf.domain) aligned")
        }
        // §6.3 sp=: the policy for subdomains, when the record was found at the organizational domain.
        let policy = atOrganizationalDomain ? (record.subdomainPolicy ?? record.policy) : record.policy
        return Outcome(code: .fail, fromDomain: from, disposition: policy, reason: "no aligned SPF or DKIM pass")
    }

    /// §3.1: strict means the same name, relaxed the same organizational domain.
    func aligns(_ identifier: String, _ from: String, _ mode: DMARCRecord.Alignment) -> Bool {
        var identifier = identifier.lowercased()
        if identifier.hasSuffix(".") { identifier.removeLast() }
        switch mode {
        case .strict: return identifier == from
        case .relaxed: return suffixes.organizationalDomain(of: identifier) == suffixes.organizationalDomain(of: from)
        }
    }

    private enum Discovery {
        case found(DMARCRecord), absent, temporary(String)
    }

    /// §6.6.3: the TXT records at _dmarc.<domain>; exactly one DMARC record counts, none or
    /// several is as if there were none.
    private func policy(at domain: String) async -> Discovery {
        guard let name = try? DNSName("_dmarc." + domain) else { return .absent }
        let answer: DNSLookupResult
        do { answer = try await dns.lookup(name, type: .txt) } catch { return .temporary("\(error)") }
        let records = answer.records.compactMap { data -> DMARCRecord? in
            guard case .txt(let strings) = data else { return nil }
            return DMARCRecord(parsing: String(decoding: strings.joined(), as: UTF8.self))
        }
        return records.count == 1 ? .found(records[0]) : .absent
    }
}
