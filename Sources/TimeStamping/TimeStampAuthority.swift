import SwiftASN1

/// A TSA as configured: where to ask, which CA certificates its certificate must chain to, and
/// optionally the policy to ask for (RFC 3161 §2.4.1, reqPolicy).
public struct TimeStampAuthority: Hashable, Sendable {
    /// The HTTP or HTTPS URL requests are POSTed to (RFC 3161 §3.4).
    public var url: String
    public var verifier: TimeStampVerifier
    public var policy: ASN1ObjectIdentifier?

    public init(url: String, verifier: TimeStampVerifier, policy: ASN1ObjectIdentifier? = nil) {
        self.url = url
        self.verifier = verifier
        self.policy = policy
    }
}
