/// Why a message could not be signed or a key not made, read or checked (RFC 6376).
public enum DKIMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// RFC 6376 §5.4: the From header field MUST be signed, so a message without one cannot be.
    case missingFrom
    /// The domain or selector is not a DNS name of letters, digits, hyphens and underscores.
    case invalidName(String)
    /// A key already exists for this domain, selector and algorithm; keygen never overwrites.
    case keyExists(path: String)
    /// A key file that does not hold a key of its algorithm.
    case unreadableKey(path: String, reason: String)
    /// An I/O failure on the key directory.
    case io(operation: String, path: String, errno: Int32)
    /// A DKIM-Signature field that does not verify, with the reason (the verifier's result).
    case verificationFailed(String)

    public var description: String {
        switch self {
        case .missingFrom: "the message has no From header field, which DKIM must sign (RFC 6376 §5.4)"
        case .invalidName(let name): "\"\(name)\" is not a valid domain or selector"
        case .keyExists(let path): "a key already exists at \(path)"
        case .unreadableKey(let path, let reason): "cannot read the key \(path): \(reason)"
        case .io(let operation, let path, let errno): "\(operation) \(path) failed (errno \(errno))"
        case .verificationFailed(let why): "DKIM verification failed: \(why)"
        }
    }
}

/// RFC 6376 §3.3 signing algorithms: rsa-sha256, and ed25519-sha256 from RFC 8463 §3.
public enum DKIMAlgorithm: String, Sendable, Hashable, CaseIterable, Comparable {
    case rsa
    case ed25519

    /// The `a=` tag value.
    public var signatureAlgorithm: String {
        switch self {
        case .rsa: "rsa-sha256"
        case .ed25519: "ed25519-sha256"
        }
    }

    /// The `k=` tag of the key record (RFC 6376 §3.6.1, RFC 8463 §4).
    public var keyType: String { rawValue }

    public static func < (lhs: DKIMAlgorithm, rhs: DKIMAlgorithm) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
