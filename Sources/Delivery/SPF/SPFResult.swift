/// The outcome of an SPF check (RFC 7208 §2.6), with the reason for the record in the
/// Authentication-Results comment and the log.
public struct SPFResult: Sendable, Hashable, CustomStringConvertible {
    /// RFC 7208 §2.6.1–§2.6.7.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// §2.6.1: no syntactically valid domain, or no SPF record at it.
        case none
        /// §2.6.2: the record states nothing about the client (`?` qualifier, or no match).
        case neutral
        /// §2.6.3: the client is authorized.
        case pass
        /// §2.6.4: the client is explicitly not authorized.
        case fail
        /// §2.6.5: probably not authorized (`~` qualifier).
        case softfail
        /// §2.6.6: a transient DNS error.
        case temperror
        /// §2.6.7: the record cannot be interpreted (syntax, limits, several records).
        case permerror
    }

    public var code: Code
    /// Why: which term matched, or what went wrong.
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue) (\(reason))" }
}

/// Which identity was checked (RFC 7208 §2.3, §2.4), as RFC 8601 §2.7.2 names the property.
public enum SPFIdentity: String, Sendable, Hashable {
    case mailFrom = "mailfrom"
    case helo = "helo"
}
