import ServerKit

/// Which listener a session arrived on.
public enum POP3ListenerKind: String, Sendable {
    /// Port 110: plaintext, STLS offered (RFC 2595 §4).
    case plain = "pop3"
    /// Port 995: TLS from the first byte (RFC 8314 §3.3).
    case implicitTLS = "pop3s"
}

/// How a POP3 listener behaves.
public struct POP3Configuration: Sendable {
    /// The server's name in the greeting.
    public var hostname: String
    /// USER/PASS and AUTH without TLS are refused (RFC 2595 §2.1), except from 127.0.0.1/::1
    /// when this is true.
    public var allowPlaintextOnLoopback: Bool
    /// The TLS context for STLS (and required for implicit TLS); nil offers no TLS.
    public var tls: ServerTLS?
    /// RFC 1939 §3: the inactivity autologout timer must be at least 10 minutes.
    public var idleTimeout: Duration
    /// RFC 2449 §4 limits commands to 255 octets; SASL responses (RFC 5034 §4) may be longer.
    public var lineLength: Int
    /// Failed commands (and failed logins) before the server closes the connection.
    public var errorLimit: Int
    /// Concurrent connections per client IP address, when the listener counts them alone
    /// (`limiter` unset).
    public var connectionsPerAddress: Int
    /// The connection limits shared with the server's other listeners; nil: this listener counts alone.
    public var limiter: ConnectionLimiter?
    /// The command deadline and the timers of the autologout and the deadline.
    public var timing = ConnectionTiming()

    public init(hostname: String, allowPlaintextOnLoopback: Bool = false, tls: ServerTLS? = nil,
                idleTimeout: Duration = .seconds(600), lineLength: Int = 8192, errorLimit: Int = 20,
                connectionsPerAddress: Int = 20) {
        self.hostname = hostname
        self.allowPlaintextOnLoopback = allowPlaintextOnLoopback
        self.tls = tls
        self.idleTimeout = idleTimeout
        self.lineLength = lineLength
        self.errorLimit = errorLimit
        self.connectionsPerAddress = connectionsPerAddress
    }
}
