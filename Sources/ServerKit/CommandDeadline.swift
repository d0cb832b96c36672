/// How long the bytes of one command may take to arrive, however they trickle in. An idle timeout
/// alone is reset by every byte, so a client sending one byte a minute holds its connection for
/// ever (slowloris); this bound is counted from the command's first byte and is not reset by
/// later ones. RFC 5321 §4.5.3.2 and RFC 9051 §5.4 bound only silence; the extra bound follows
/// Postfix's per-record deadline with a minimum data rate (`smtpd_min_data_rate`, 500 bytes/s).
///
/// A command — a line, the lines and literals of an IMAP or ManageSieve command, SMTP DATA or a
/// BDAT chunk — must be complete within `grace` plus one second per `minimumBytesPerSecond` bytes
/// received for it so far: a 50 MB message sent at a steady 100 KB/s never comes near it, one byte
/// a second is cut off after `grace`.
public struct CommandDeadline: Sendable, Hashable {
    /// Time every command gets, however short.
    public var grace: Duration
    /// Bytes per second a command's data must average to earn more time than `grace`.
    public var minimumBytesPerSecond: Int

    public init(grace: Duration = .seconds(60), minimumBytesPerSecond: Int = 500) {
        self.grace = grace
        self.minimumBytesPerSecond = max(1, minimumBytesPerSecond)
    }

    /// The time allowed, counted from the command's first byte, once `bytes` of it have arrived.
    public func allowance(forBytes bytes: Int) -> Duration {
        grace + .seconds(bytes / minimumBytesPerSecond)
            + .milliseconds(bytes % minimumBytesPerSecond * 1000 / minimumBytesPerSecond)
    }
}

/// The timing every protocol connection shares: the command deadline, the write timeout and the
/// clock its timeouts (idle, deadline, write) run on.
public struct ConnectionTiming: Sendable {
    public var commandDeadline: CommandDeadline
    /// How long our responses may wait for a client that takes none of their bytes before the
    /// connection is closed (`WriteStallWatch`). 5 minutes, as the server's own wait for a command
    /// (RFC 5321 §4.5.3.2.7) and Postfix's `smtpd_timeout`, which also bounds its writes.
    public var writeTimeout: Duration
    public var timers: any TimerSource

    public init(commandDeadline: CommandDeadline = CommandDeadline(), writeTimeout: Duration = .seconds(300),
                timers: any TimerSource = EventLoopTimers()) {
        self.commandDeadline = commandDeadline
        self.writeTimeout = writeTimeout
        self.timers = timers
    }
}
