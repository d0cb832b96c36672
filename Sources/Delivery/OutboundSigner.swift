/// Signs outbound mail for the domains it has keys for (DKIM, RFC 6376 / RFC 8463).
public protocol OutboundSigner: Sendable {
    /// The DKIM-Signature header field(s), each ending in CRLF, to prepend to `message` (the
    /// exact bytes that will be sent, CRLF line ends); nil when `domain` has no key.
    func signatureFields(for message: [UInt8], domain: String) throws -> [UInt8]?
}
