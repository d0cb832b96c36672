import Logging
import NIOCore

/// What every protocol connection does the same way, whatever its grammar: the responses not yet
/// written (pipelined commands are answered in one write), the wait for the client's next bytes
/// with its timeouts and graceful shutdown, the STARTTLS switch, and closing. A protocol keeps
/// only its framer, its session (a pure state machine) and the glue from the session's actions
/// to these calls. One per connection, used only by its task.
///
/// Timeouts (armed on `timing.timers` around every wait, never a sleep in the session's task):
/// - idle: silence longer than the protocol's idle timeout for the state it is in (RFC 5321
///   §4.5.3.2.7 and §4.5.3.2.5, RFC 1939 §3, RFC 9051 §5.4, RFC 5804 §1.3);
/// - command deadline: while a command is incomplete, its bytes must all arrive within
///   `timing.commandDeadline` of its first one; later bytes do not reset it (slowloris).
/// Either writes the protocol's farewell and closes the connection.
public struct ConnectionShell {
    public typealias Inbound = NIOAsyncChannelInboundStream<ByteBuffer>

    public let channel: any Channel
    /// The peer's IP address as text, whether it is this host, and whether TLS was on from the start.
    public let clientAddress: String
    public let isLoopback: Bool
    public let implicitTLS: Bool
    /// Whether the connection limits let this connection in (the session refuses it otherwise).
    public let admission: ConnectionAdmission
    public let logger: Logger
    /// Responses waiting for the next `flush()`.
    public var output = ByteBuffer()
    /// True once the connection was closed here; the session's loop ends.
    public private(set) var isClosed = false
    /// True when a wait ended because a graceful shutdown was requested while the session was idle.
    public private(set) var stoppedForShutdown = false
    /// Whether a graceful shutdown was requested (a busy session ends after its command).
    public var shutdownRequested: Bool { shutdown.isRequested }
    /// Bytes taken from the client so far (`startTLS` compares them with what the channel received).
    public private(set) var consumedBytes = 0

    private let shutdown: IdleShutdownSignal
    private let timing: ConnectionTiming
    /// When the last bytes arrived and how many, on `timing.timers`' clock.
    private var lastArrival: Duration
    private var lastArrivalBytes = 0
    /// When the incomplete command's first bytes arrived, and how many of its bytes came since.
    private var commandStart: Duration?
    private var commandBytes = 0

    public init(connection: Connection, shutdown: IdleShutdownSignal, timing: ConnectionTiming, logger: Logger) {
        self.channel = connection.channel.channel
        self.clientAddress = connection.remoteAddress
        self.isLoopback = connection.isLoopback
        self.implicitTLS = connection.implicitTLS
        self.admission = connection.admission
        self.shutdown = shutdown
        self.timing = timing
        self.logger = logger
        self.lastArrival = timing.timers.now()
    }

    // MARK: - Writing and closing

    /// Writes and flushes the waiting responses, if any. A client that takes none of their bytes
    /// for `timing.writeTimeout` is closed (`WriteStallWatch`); the write then fails and so does
    /// the session's loop.
    public mutating func flush() async throws {
        guard output.readableBytes > 0 else { return }
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(takeOutput(), promise: written)
        let watch = WriteStallWatch.start(channel: channel, timeout: timing.writeTimeout, timers: timing.timers,
                                          logger: logger)
        defer { watch.stop() }
        try await written.futureResult.get()
    }

    /// The waiting responses, leaving none.
    public mutating func takeOutput() -> ByteBuffer {
        let bytes = output
        output = ByteBuffer()
        return bytes
    }

    /// Flushes the waiting responses (the last one says why), then closes.
    public mutating func close() async throws {
        try await flush()
        isClosed = true
        try await channel.close()
    }

    // MARK: - Reading

    /// The next frame of `framer`, reading from `inbound` as needed; nil when the client closed,
    /// or when a graceful shutdown was requested while the session was `idle` (then
    /// `stoppedForShutdown` is true). Silence longer than `idleTimeout`, or an incomplete frame
    /// older than the command deadline, gets `farewell` and a close.
    public mutating func nextFrame<Framer: InboundFramer>(
        of framer: inout Framer, from inbound: inout Inbound.AsyncIterator, idle: Bool = true,
        idleTimeout: Duration, farewell: ByteBuffer
    ) async throws -> Framer.Frame? {
        while true {
            if let frame = framer.nextFrame() { return frame }
            guard let bytes = try await read(from: &inbound, idle: idle, idleTimeout: idleTimeout,
                                             insideCommand: framer.holdsPartialFrame, farewell: farewell)
            else { return nil }
            framer.append(bytes)
        }
    }

    /// Flushes, then waits for the client's next bytes; nil when it closed (or, when `idle`, when
    /// shutdown was requested). `insideCommand`: the bytes awaited belong to a command already
    /// begun (a partial line, DATA content, a literal), so the command deadline applies.
    public mutating func read(
        from inbound: inout Inbound.AsyncIterator, idle: Bool = false, idleTimeout: Duration,
        insideCommand: Bool, farewell: ByteBuffer
    ) async throws -> ByteBuffer? {
        let bytes = try await waitForInput(idle: idle, idleTimeout: idleTimeout, insideCommand: insideCommand,
                                           farewell: farewell) { try await inbound.next() }
        if let bytes { received(bytes.readableBytes) }
        return bytes
    }

    /// Flushes, then runs `next` (which waits for the client) with the timers armed. Returns nil at
    /// once, without waiting, when the session is `idle` and a graceful shutdown was requested; the
    /// shutdown handler closes a session idle in here. A protocol that reads by its own means (IMAP
    /// merges the client's bytes with mailbox changes) calls `received` for the bytes it gets.
    public mutating func waitForInput<Input>(
        idle: Bool, idleTimeout: Duration, insideCommand: Bool, farewell: ByteBuffer,
        _ next: () async throws -> Input?
    ) async throws -> Input? {
        try await flush()
        if idle {
            if shutdown.beginIdleWait() {
                stoppedForShutdown = true
                return nil
            }
        }
        defer { if idle { shutdown.endIdleWait() } }
        let timer = armTimer(idleTimeout: idleTimeout, insideCommand: insideCommand, farewell: farewell)
        defer { timer.cancel() }
        return try await next()
    }

    /// Counts bytes taken from the client (for STARTTLS and the command deadline).
    public mutating func received(_ count: Int) {
        consumedBytes += count
        lastArrival = timing.timers.now()
        lastArrivalBytes = count
        if commandStart != nil { commandBytes += count }
    }

    /// The timer for one wait: the idle timeout, or sooner the command's deadline. A command
    /// starts with the bytes that arrived last (they hold its beginning).
    private mutating func armTimer(idleTimeout: Duration, insideCommand: Bool, farewell: ByteBuffer) -> TimerHandle {
        var delay = idleTimeout
        if insideCommand {
            if commandStart == nil {
                commandStart = lastArrival
                commandBytes = lastArrivalBytes
            }
            let deadline = commandStart! + timing.commandDeadline.allowance(forBytes: commandBytes)
            delay = min(delay, max(.zero, deadline - timing.timers.now()))
        } else {
            commandStart = nil
            commandBytes = 0
        }
        let channel = self.channel
        return timing.timers.schedule(after: delay, on: channel.eventLoop) {
            channel.writeAndFlush(farewell).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    // MARK: - STARTTLS

    /// STARTTLS (RFC 3207 §4, RFC 2595 §4, RFC 5804 §2.2, RFC 9051 §6.2.1): flushes what is
    /// waiting, then sends `reply` and starts TLS, unless the client pipelined anything after the
    /// command — still in the session's framer (`framerHoldsBytes`) or in the channel — or no TLS is
    /// configured. Such bytes would be read as if they came over TLS (CVE-2011-0411), so the
    /// connection closes instead, without the reply. True when TLS is now on.
    public mutating func startTLS(_ tls: ServerTLS?, reply: ByteBuffer, framerHoldsBytes: Bool) async throws -> Bool {
        try await flush()
        if !framerHoldsBytes, let tls {
            do {
                try await ServerKit.startTLS(on: channel, tls: tls, reply: reply, consumedBytes: consumedBytes)
                return true
            } catch StartTLSError.plaintextPipelined {}
        }
        logger.info("plaintext pipelined after STARTTLS; closing")
        isClosed = true
        try await channel.close()
        return false
    }
}

/// What `ConnectionShell.nextFrame` reads through: a protocol's framer, which cuts the client's
/// bytes into lines or commands.
public protocol InboundFramer {
    associatedtype Frame
    /// Adds bytes read from the client.
    mutating func append(_ bytes: ByteBuffer)
    /// The next complete frame (or framing error), or nil when more bytes are needed.
    mutating func nextFrame() -> Frame?
    /// Whether part of a frame has arrived (the command deadline runs) or bytes wait behind the
    /// last frame (STARTTLS refuses them).
    var holdsPartialFrame: Bool { get }
}

extension CRLFFramer: InboundFramer {
    public mutating func nextFrame() -> Result<ByteBuffer, CRLFFramingError>? {
        nextLine()
    }

    public var holdsPartialFrame: Bool { bufferedBytes > 0 || isDiscarding }
}
