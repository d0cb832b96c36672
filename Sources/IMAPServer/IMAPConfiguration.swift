import ServerKit
#if canImport(Glibc)
import Glibc
#endif

/// Which listener a session arrived on.
public enum IMAPListenerKind: String, Sendable {
    /// Port 143: plaintext, STARTTLS offered (RFC 3501 §6.2.1).
    case plain = "imap"
    /// Port 993: TLS from the first byte (RFC 8314 §3.3).
    case implicitTLS = "imaps"
}

/// How an IMAP listener behaves. Every limit is here, each with its reason.
public struct IMAPConfiguration: Sendable {
    /// The server's name in the greeting and in ID.
    public var serverName: String
    /// The TLS context for STARTTLS (and required for implicit TLS); nil offers no TLS.
    public var tls: ServerTLS?
    /// LOGIN and AUTHENTICATE without TLS are refused (RFC 9051 §6.2.3, LOGINDISABLED), except
    /// from 127.0.0.1/::1 when this is true.
    public var allowPlaintextAuthOnLoopback: Bool
    /// The protocol layer's limits (line and literal sizes, nesting).
    public var limits: IMAPLimits
    /// Silence allowed after login. RFC 9051 §5.4: the autologout timer is at least 30 minutes.
    public var idleTimeout: Duration
    /// Silence allowed before login (RFC 9051 §5.4 allows it to be shorter).
    public var unauthenticatedIdleTimeout: Duration
    /// Concurrent connections per client IP address, when the listener counts them alone
    /// (`limiter` unset).
    public var connectionsPerAddress: Int
    /// The connection limits shared with the server's other listeners; nil: this listener counts alone.
    public var limiter: ConnectionLimiter?
    /// The deadline of an incomplete command (a short one: RFC 9051 §5.4's 30 minutes are for a
    /// silent client, not for one that has begun a command) and the timers of every timeout.
    public var timing = ConnectionTiming()
    /// Refused commands (BAD) before the server says BYE and closes.
    public var errorLimit: Int
    /// Failed logins before BYE.
    public var authenticationFailureLimit: Int
    /// Where large APPEND literals are streamed while they arrive (`IMAPLimits.inMemoryLiteralSize`);
    /// the server's own folder (`DATA/spool/imap`, emptied at start), else the system's temporary one.
    public var spoolDirectory: String

    public init(
        serverName: String = "Tresor", tls: ServerTLS? = nil, allowPlaintextAuthOnLoopback: Bool = false,
        limits: IMAPLimits = IMAPLimits(), idleTimeout: Duration = .seconds(1800),
        unauthenticatedIdleTimeout: Duration = .seconds(60), connectionsPerAddress: Int = 20, errorLimit: Int = 20,
        authenticationFailureLimit: Int = 3, spoolDirectory: String? = nil
    ) {
        self.spoolDirectory = spoolDirectory ?? Self.temporaryDirectory
        self.serverName = serverName
        self.tls = tls
        self.allowPlaintextAuthOnLoopback = allowPlaintextAuthOnLoopback
        self.limits = limits
        self.idleTimeout = max(idleTimeout, .seconds(1800))
        self.unauthenticatedIdleTimeout = unauthenticatedIdleTimeout
        self.connectionsPerAddress = connectionsPerAddress
        self.errorLimit = errorLimit
        self.authenticationFailureLimit = authenticationFailureLimit
    }
}

extension IMAPConfiguration {
    /// `TMPDIR`, else `/tmp`.
    static var temporaryDirectory: String {
        guard let value = getenv("TMPDIR"), let text = String(validatingCString: value), !text.isEmpty else {
            return "/tmp"
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}
