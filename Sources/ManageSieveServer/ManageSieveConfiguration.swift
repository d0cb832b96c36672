import ServerKit

/// How a ManageSieve listener behaves. Every limit is here, each with its reason.
public struct ManageSieveConfiguration: Sendable {
    /// The IMPLEMENTATION capability (RFC 5804 §1.7): the server's name and version.
    public var implementationName: String
    /// The TLS context for STARTTLS (RFC 5804 §2.2); nil offers no TLS.
    public var tls: ServerTLS?
    /// AUTHENTICATE PLAIN without TLS is refused (RFC 5804 §2.1: PLAIN over TLS), except from
    /// 127.0.0.1/::1 when this is true.
    public var allowPlaintextAuthOnLoopback: Bool
    /// Longest command line without its CRLF. Scripts travel as literals, so lines stay short;
    /// 8 KiB leaves room for a SASL response sent as a quoted string.
    public var maximumLineLength: Int
    /// Largest literal (in practice: a script) accepted. Larger ones get `NO (QUOTA/MAXSIZE)`.
    public var maximumScriptSize: Int
    /// A literal over `maximumScriptSize` but under this is read and thrown away so that the
    /// session can go on; a larger one closes the connection (reading gigabytes is no answer).
    public var literalDiscardLimit: Int
    /// Silence allowed after authentication. RFC 5804 §1.3: at least 30 minutes.
    public var idleTimeout: Duration
    /// Silence allowed before authentication. RFC 5804 §1.3 allows it to be shorter.
    public var unauthenticatedIdleTimeout: Duration
    /// Concurrent connections per client IP address, when the listener counts them alone
    /// (`limiter` unset).
    public var connectionsPerAddress: Int
    /// The connection limits shared with the server's other listeners; nil: this listener counts alone.
    public var limiter: ConnectionLimiter?
    /// The command deadline and the timers of the idle timeouts and the deadline.
    public var timing = ConnectionTiming()
    /// Failed commands before the server says BYE and closes.
    public var errorLimit: Int
    /// Failed AUTHENTICATE attempts before BYE (RFC 5804 §2.1 example: "Too many failed
    /// authentication attempts").
    public var authenticationFailureLimit: Int

    public init(
        implementationName: String = "Tresor", tls: ServerTLS? = nil, allowPlaintextAuthOnLoopback: Bool = false,
        maximumLineLength: Int = 8192, maximumScriptSize: Int = 1 << 20, literalDiscardLimit: Int = 64 << 20,
        idleTimeout: Duration = .seconds(1800), unauthenticatedIdleTimeout: Duration = .seconds(300),
        connectionsPerAddress: Int = 20, errorLimit: Int = 20, authenticationFailureLimit: Int = 3
    ) {
        self.implementationName = implementationName
        self.tls = tls
        self.allowPlaintextAuthOnLoopback = allowPlaintextAuthOnLoopback
        self.maximumLineLength = maximumLineLength
        self.maximumScriptSize = maximumScriptSize
        self.literalDiscardLimit = literalDiscardLimit
        self.idleTimeout = idleTimeout
        self.unauthenticatedIdleTimeout = unauthenticatedIdleTimeout
        self.connectionsPerAddress = connectionsPerAddress
        self.errorLimit = errorLimit
        self.authenticationFailureLimit = authenticationFailureLimit
    }
}
