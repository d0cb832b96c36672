/// The outcome for one DKIM-Signature field (RFC 6376 §6.1, named as RFC 8601 §2.7.1 does).
public struct DKIMSignatureResult: Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The signature verified.
        case pass
        /// It did not: hashes differ, expired, key restricted (RFC 6376 §6.1 PERMFAIL of the content).
        case fail
        /// Signed with an algorithm this verifier does not know.
        case neutral
        /// The key could not be fetched now (RFC 6376 §6.1.2 TEMPFAIL).
        case temperror
        /// The signature or its key record is unusable: syntax, missing tags, no key, revoked key.
        case permerror
    }

    public var code: Code
    public var reason: String
    /// `d=`, `s=`, `i=` (when present) and `a=`, for the Authentication-Results properties.
    public var domain: String
    public var selector: String
    public var identity: String?
    public var algorithm: String

    public var description: String { "\(code.rawValue) d=\(domain) s=\(selector) (\(reason))" }
}
