/// Where mail for a domain goes, as RFC 5321 §5.1 says: the MX hosts by preference (each with
/// its addresses), or the domain's own address records when it has no MX, or nowhere.
public protocol MailExchangerResolver: Sendable {
    /// Throws `DNSResolutionError.temporary` when the answer could not be had now (timeout,
    /// SERVFAIL): the caller retries later. An answer that the domain does not exist or accepts
    /// no mail is a value, not an error.
    func mailExchangers(for domain: String) async throws -> MailExchangerAnswer
}

public enum MailExchangerAnswer: Sendable, Hashable {
    /// Hosts in the order to try them: ascending preference, equal preferences shuffled
    /// (RFC 5321 §5.1); the implicit MX (the domain's A/AAAA) when it has no MX records.
    case hosts([MailExchanger])
    /// RFC 7505: a single MX of preference 0 with the root name ".": the domain accepts no mail.
    case nullMX
    /// NXDOMAIN, or neither MX nor address records (RFC 5321 §5.1): a permanent failure.
    case noSuchDomain
}

public struct MailExchanger: Sendable, Hashable {
    /// The exchange's name, without the trailing dot.
    public var name: String
    public var preference: Int
    /// IPv4 and IPv6 literals ("192.0.2.1", "2001:db8::1"); empty when the name has none.
    public var addresses: [String]
    public init(name: String, preference: Int, addresses: [String]) {
        self.name = name
        self.preference = preference
        self.addresses = addresses
    }
}

public enum DNSResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No usable answer now (timeout, SERVFAIL, REFUSED, network): try again later.
    case temporary(String)
    public var description: String {
        switch self {
        case .temporary(let why): "temporary DNS failure: \(why)"
        }
    }
}
