/// How STARTTLS is used on one connection.
public enum OutboundTLSPolicy: Sendable, Hashable {
    /// Use STARTTLS when offered, without checking the certificate; fall back to cleartext when
    /// the server offers none or the handshake fails (RFC 7435 §3, opportunistic security).
    case opportunistic
    /// STARTTLS must be offered and the certificate must verify for the host's name; otherwise
    /// nothing is sent (the attempt is deferred).
    case required
    /// Never STARTTLS (the retry after a failed opportunistic handshake).
    case disabled
}

/// One host to hand mail to: its name (for SNI, certificate checks and the DSN's Remote-MTA), the
/// addresses to try in order (empty: connect by name), the port, and how to talk to it.
public struct OutboundHost: Sendable, Hashable {
    public var name: String
    public var addresses: [String]
    public var port: Int
    public var tls: OutboundTLSPolicy
    /// AUTH PLAIN (RFC 4954) with these, for a smarthost.
    public var credentials: SMTPCredentials?

    public init(name: String, addresses: [String] = [], port: Int, tls: OutboundTLSPolicy = .opportunistic,
                credentials: SMTPCredentials? = nil) {
        self.name = name
        self.addresses = addresses
        self.port = port
        self.tls = tls
        self.credentials = credentials
    }
}

public struct SMTPCredentials: Sendable, Hashable {
    public var user: String
    public var password: String
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }
}
