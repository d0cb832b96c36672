#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ServerKit

/// The timeouts of RFC 5321 §4.5.3.2. The server waits on the client with `server` (for commands)
/// and `dataBlock` (inside DATA or BDAT content); the others are how long a client waits for each of
/// our replies, so the backend calls behind those replies are logged when they take longer.
public struct SMTPTimeouts: Sendable, Hashable {
    /// §4.5.3.2.1: the client waits 5 minutes for the 220 greeting.
    public var initialGreeting: Duration = .seconds(300)
    /// §4.5.3.2.2: the client waits 5 minutes for the reply to MAIL (our `checkSender`).
    public var mail: Duration = .seconds(300)
    /// §4.5.3.2.3: the client waits 5 minutes for the reply to RCPT (our `checkRecipient`).
    public var recipient: Duration = .seconds(300)
    /// §4.5.3.2.4: the client waits 2 minutes for the 354.
    public var dataInitiation: Duration = .seconds(120)
    /// §4.5.3.2.5: 3 minutes between blocks of message data; the server uses it while reading content.
    public var dataBlock: Duration = .seconds(180)
    /// §4.5.3.2.6: the client waits 10 minutes for the reply after the final dot (our `deliver`).
    public var dataTermination: Duration = .seconds(600)
    /// §4.5.3.2.7: the server waits at least 5 minutes for the next command.
    public var server: Duration = .seconds(300)

    public init() {}
}

/// Every limit of an SMTP listener, each with its reason.
public struct SMTPLimits: Sendable, Hashable {
    /// §4.5.3.1.4 allows 512 for a command line; extension parameters and SASL responses
    /// (RFC 4954 §4: 12288 recommended for the AUTH line) need more.
    public var lineLength = 12_288
    /// Message size, advertised with SIZE (RFC 1870).
    public var messageSize = 50 << 20
    /// Content above this many bytes goes to a spool file instead of memory (with a spool
    /// directory configured), so a slow sender of a big message holds one block, not the message.
    public var spoolThreshold = 1 << 20
    /// §4.5.3.1.8: a server must accept at least 100 recipients.
    public var recipients = 100
    /// Failed commands (5xx replies) before 421 and close, as Postfix `smtpd_hard_error_limit`.
    public var errors = 20
    /// Concurrent connections per client IP address, when the listener counts them alone
    /// (`SMTPConfiguration.limiter` unset).
    public var connectionsPerAddress = 20
    public var timeouts = SMTPTimeouts()

    public init() {}
}

/// How an SMTP listener behaves.
public struct SMTPConfiguration: Sendable {
    /// The server's name in the greeting, EHLO reply and `Received:` header.
    public var hostname: String
    public var limits: SMTPLimits
    /// AUTH without TLS is refused, except from 127.0.0.1/::1 when this is true.
    public var allowPlaintextAuthOnLoopback: Bool
    /// The TLS context for STARTTLS (and required for implicit TLS); nil offers no TLS.
    public var tls: ServerTLS?
    /// The clock for `Received:` dates.
    public var now: @Sendable () -> Date
    /// The command deadline and the timers of every timeout (`timeouts.server`, `timeouts.dataBlock`).
    public var timing = ConnectionTiming()
    /// The connection limits shared with the server's other listeners; nil: this listener counts
    /// its connections alone, `limits.connectionsPerAddress` per client address.
    public var limiter: ConnectionLimiter?
    /// Where message content past `limits.spoolThreshold` is spooled (the server's `DATA/spool/smtp`,
    /// emptied at start); nil keeps all content in memory.
    public var spoolDirectory: String?
    /// The cap on the bytes of messages being received at once; copies of this configuration share
    /// it, so one cap covers every listener made from it. Default: 1 GiB.
    public var inFlight = SMTPInFlightBytes(capacity: 1 << 30)

    public init(
        hostname: String, limits: SMTPLimits = SMTPLimits(), allowPlaintextAuthOnLoopback: Bool = false,
        tls: ServerTLS? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.hostname = hostname
        self.limits = limits
        self.allowPlaintextAuthOnLoopback = allowPlaintextAuthOnLoopback
        self.tls = tls
        self.now = now
    }
}
