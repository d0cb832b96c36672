import Logging
import NIOCore
import ServerKit

/// Serves POP3 on the connections of a `Listener`.
struct POP3ConnectionHandler<Backend: POP3Backend>: ConnectionHandler {
    let kind: POP3ListenerKind
    let configuration: POP3Configuration
    let backend: Backend

    func handle(_ connection: Connection, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "protocol"] = "pop3"
        logger[metadataKey: "listener"] = "\(kind.rawValue)"
        logger[metadataKey: "client"] = "\(connection.remoteAddress)"
        let shutdown = IdleShutdownSignal()
        var session = POP3Connection(connection: connection, configuration: configuration, backend: backend,
                                     shutdown: shutdown, logger: logger)
        // Idle, waiting for a command: close now, without UPDATE.
        let farewell = POP3Response.error("Server shutting down", code: .systemTemporary).encoded
        await connection.serve(shutdown: shutdown, farewell: farewell, logger: logger) { inbound in
            try await session.run(inbound)
        }
        // However the connection ended, the maildrop lock goes (a drop deletes nothing).
        await session.closeMaildrop()
    }
}

/// One POP3 connection: carries out the actions of `POP3Session` on a socket.
struct POP3Connection<Backend: POP3Backend> {
    typealias Inbound = NIOAsyncChannelInboundStream<ByteBuffer>

    private let channel: any Channel
    private let configuration: POP3Configuration
    private let backend: Backend
    private let clientAddress: String
    private let exceedsLimit: Bool
    private let shutdown: IdleShutdownSignal
    private let logger: Logger
    private var session: POP3Session
    private var framer: CRLFFramer
    /// Responses not yet written, and the bytes read so far (for STARTTLS).
    private var io: ConnectionIO
    /// The user whose maildrop this connection opened and locked.
    private var lockedUser: String?
    private var closed = false

    init(connection: Connection, configuration: POP3Configuration, backend: Backend,
         shutdown: IdleShutdownSignal, logger: Logger) {
        self.channel = connection.channel.channel
        self.io = ConnectionIO(channel: connection.channel.channel)
        self.configuration = configuration
        self.backend = backend
        self.clientAddress = connection.remoteAddress
        self.exceedsLimit = connection.exceedsPerAddressLimit
        self.shutdown = shutdown
        self.logger = logger
        let settings = POP3Session.Settings(
            hostname: configuration.hostname, tlsAvailable: configuration.tls != nil,
            allowPlaintextOnLoopback: configuration.allowPlaintextOnLoopback, errorLimit: configuration.errorLimit)
        self.session = POP3Session(settings: settings, tls: connection.implicitTLS, isLoopback: connection.isLoopback)
        self.framer = CRLFFramer(maximumLineLength: configuration.lineLength)
    }

    mutating func run(_ inbound: Inbound) async throws {
        var iterator = inbound.makeAsyncIterator()
        try await perform(session.connected(exceedsPerAddressLimit: exceedsLimit))
        while !closed {
            guard let line = try await nextLine(&iterator) else {
                if shutdownClosed { try await perform(session.shutdownRequested()) }
                return
            }
            let action: POP3Session.Action
            switch line {
            case .failure(.lineTooLong):
                action = session.receive(POP3SyntaxError.lineTooLong)
            case .failure(.bareLineFeed), .failure(.bareCarriageReturn):
                action = session.receive(POP3SyntaxError.bareLineEnding)
            case .success(let bytes):
                if session.expectsSASLResponse {
                    action = session.receiveSASLResponse(Array(bytes.readableBytesView))
                } else {
                    do throws(POP3SyntaxError) {
                        let command = try POP3Command(parsing: bytes.readableBytesView)
                        logger.trace("command", metadata: ["verb": "\(command.keyword)"])
                        action = session.receive(command)
                    } catch {
                        action = session.receive(error)
                    }
                }
            }
            try await perform(action)
        }
    }

    /// Releases the maildrop lock, if this connection took one.
    mutating func closeMaildrop() async {
        guard let user = lockedUser else { return }
        lockedUser = nil
        await backend.closeMaildrop(of: user)
    }

    private var info: POP3SessionInfo {
        POP3SessionInfo(clientAddress: clientAddress, isLoopback: session.isLoopback, tls: session.tls)
    }

    // MARK: - Actions

    private mutating func perform(_ first: POP3Session.Action) async throws {
        var next: POP3Session.Action? = first
        while let action = next {
            next = nil
            switch action {
            case .reply(let response):
                response.encode(into: &io.output)
            case .close(let response):
                response.encode(into: &io.output)
                try await io.flush()
                closed = true
                try await channel.close()
            case .authenticate(let credentials):
                let user = await backend.authenticate(username: credentials.username, password: credentials.password,
                                                      session: info)
                logger.info("auth", metadata: ["result": "\(user == nil ? "failed" : "ok")"])
                next = session.authenticated(user: user)
            case .openMaildrop(let user):
                let opening = await backend.openMaildrop(of: user)
                if case .opened(let messages) = opening {
                    lockedUser = user
                    logger.info("maildrop opened", metadata: ["user": "\(user)", "messages": "\(messages.count)"])
                }
                next = session.maildropOpened(opening)
            case .sendMessage(let message, let status, let bodyLines):
                guard let content = await backend.content(of: message, user: lockedUser ?? "") else {
                    next = session.messageUnreadable()
                    continue
                }
                status.encode(into: &io.output)
                POP3MessageEncoding.encode(content, bodyLines: bodyLines, into: &io.output)
                // A large message goes out now rather than piling up behind pipelined commands.
                if io.output.readableBytes > 1 << 16 { try await io.flush() }
            case .startTLS(let response):
                try await io.flush()
                guard framer.bufferedBytes == 0, let tls = configuration.tls else {
                    logger.info("plaintext pipelined after STLS; closing")
                    closed = true
                    try await channel.close()
                    return
                }
                do {
                    try await ServerKit.startTLS(on: channel, tls: tls, reply: response.encoded, consumedBytes: io.consumedBytes)
                } catch StartTLSError.plaintextPipelined {
                    logger.info("plaintext pipelined after STLS; closing")
                    closed = true
                    try await channel.close()
                    return
                }
                session.tlsStarted()
            case .commitDeletions(let user, let messages):
                let done = await backend.commitDeletions(messages, user: user)
                logger.info("update", metadata: ["user": "\(user)", "deleted": "\(done ? messages.count : 0)"])
                next = session.deletionsCommitted(done)
            }
        }
    }

    // MARK: - Reading

    /// Set when the session stopped reading because of a graceful shutdown.
    private var shutdownClosed = false

    /// The next line (or framing error); nil when the peer closed or shutdown was requested.
    private mutating func nextLine(_ iterator: inout Inbound.AsyncIterator) async throws -> Result<ByteBuffer, CRLFFramingError>? {
        while true {
            if let line = framer.nextLine() { return line }
            if shutdown.beginIdleWait() {
                shutdownClosed = true
                return nil
            }
            defer { shutdown.endIdleWait() }
            guard let bytes = try await read(&iterator) else { return nil }
            framer.append(bytes)
        }
    }

    /// Flushes pending responses, then waits for bytes; when the autologout timer (RFC 1939 §3)
    /// fires first, it says so and closes, and nothing is deleted.
    private mutating func read(_ iterator: inout Inbound.AsyncIterator) async throws -> ByteBuffer? {
        try await io.read(&iterator, timeout: configuration.idleTimeout, farewell: POP3Session.autologout.encoded)
    }

}
