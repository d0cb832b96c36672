/// Everything that can go wrong with a time stamp, each case saying exactly what failed so
/// that `verify` can report it as a finding and the stamping side can log why a retry is due.
public enum TimeStampError: Error, Hashable, Sendable, CustomStringConvertible {
    // Asking the TSA (RFC 3161 §3.4).
    /// No connection could be made, or it broke before an answer.
    case unreachable(url: String, reason: String)
    /// No complete answer within the timeout.
    case timedOut(url: String, after: Duration)
    /// The TSA answered with an HTTP status other than 200.
    case httpStatus(url: String, status: Int)
    /// The TSA answered 200 without `application/timestamp-reply`.
    case unexpectedContentType(url: String, contentType: String?)
    /// The caller's task was cancelled while waiting for the TSA.
    case cancelled

    // What the TSA answered.
    /// The TSA refused to stamp (status other than granted or grantedWithMods, RFC 3161 §2.4.2).
    case rejected(PKIStatusInfo)
    /// A response or token that is not the DER structure RFC 3161 and RFC 5652 define.
    case malformed(String)

    // Verifying a token.
    /// The token stamps another digest (or the same under another hash function) than expected.
    case wrongDigest(expected: [UInt8], stamped: MessageImprint)
    /// The token does not echo the request's nonce (RFC 3161 §2.4.2): a replayed answer.
    case wrongNonce(expected: [UInt8], stamped: [UInt8]?)
    /// The token was made under another policy than the one asked for (RFC 3161 §2.4.2).
    case wrongPolicy(expected: String, stamped: String)
    /// A hash or signature algorithm this module does not check.
    case unsupportedAlgorithm(String)
    /// The signature does not hold: the message-digest attribute does not match the TSTInfo,
    /// or the signature over the signed attributes does not verify with the signer's key.
    case badSignature(String)
    /// The token names a signer certificate it does not carry, and no trust root is it.
    case signerCertificateMissing
    /// The ESS signing-certificate attribute is missing or names another certificate
    /// (RFC 3161 §2.4.2, RFC 5816 §2.2).
    case signerCertificateMismatch(String)
    /// The signer's certificate is no TSA certificate: RFC 3161 §2.3 requires exactly one
    /// extended key usage, id-kp-timeStamping, marked critical.
    case notTimeStampingCertificate(String)
    /// The signer's certificate does not chain to a configured CA certificate at genTime.
    case untrustedChain(String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): "TSA \(url) unreachable: \(reason)"
        case .timedOut(let url, let after): "TSA \(url) did not answer within \(after)"
        case .httpStatus(let url, let status): "TSA \(url) answered HTTP \(status)"
        case .unexpectedContentType(let url, let type): "TSA \(url) answered with content type \(type ?? "none")"
        case .cancelled: "time stamp request cancelled"
        case .rejected(let status): "TSA refused to stamp: \(status)"
        case .malformed(let what): "malformed time stamp: \(what)"
        case .wrongDigest(let expected, let stamped):
            "token stamps \(stamped.hashAlgorithm) \(hex(stamped.hashedMessage)), not SHA-256 \(hex(expected))"
        case .wrongNonce(let expected, let stamped):
            "token carries nonce \(stamped.map(hex) ?? "none"), not the request's \(hex(expected))"
        case .wrongPolicy(let expected, let stamped): "token made under policy \(stamped), not \(expected)"
        case .unsupportedAlgorithm(let name): "unsupported algorithm: \(name)"
        case .badSignature(let reason): "bad token signature: \(reason)"
        case .signerCertificateMissing: "token signer's certificate is neither in the token nor a trust root"
        case .signerCertificateMismatch(let reason): "token signer certificate mismatch: \(reason)"
        case .notTimeStampingCertificate(let reason): "token signer is no time-stamping certificate: \(reason)"
        case .untrustedChain(let reason): "token signer does not chain to a configured TSA CA: \(reason)"
        }
    }
}

/// Lower-case hexadecimal, for digests, nonces and serial numbers in messages.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
    return String(decoding: text, as: UTF8.self)
}
