import Logging
import NIOCore
import ServerKit

/// Serves ManageSieve on the connections of a `Listener`.
struct ManageSieveConnectionHandler<Backend: ManageSieveBackend>: ConnectionHandler {
    let configuration: ManageSieveConfiguration
    let backend: Backend

    func handle(_ connection: Connection, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "protocol"] = "managesieve"
        logger[metadataKey: "client"] = "\(connection.remoteAddress)"
        let shutdown = IdleShutdownSignal()
        var session = ManageSieveConnection(connection: connection, configuration: configuration, backend: backend,
                                            shutdown: shutdown, logger: logger)
        // Idle, waiting for a command: say so and close now.
        let farewell = ManageSieveResponse.bye("Server shutting down", code: .tryLater).encoded
        await connection.serve(shutdown: shutdown, farewell: farewell, logger: logger) { inbound in
            try await session.run(inbound)
        }
    }
}

/// One ManageSieve connection: carries out the actions of `ManageSieveSession` on a socket.
struct ManageSieveConnection<Backend: ManageSieveBackend> {
    typealias Inbound = NIOAsyncChannelInboundStream<ByteBuffer>

    private let channel: any Channel
    private let configuration: ManageSieveConfiguration
    private let backend: Backend
    private let clientAddress: String
    private let exceedsLimit: Bool
    private let shutdown: IdleShutdownSignal
    private let logger: Logger
    private var session: ManageSieveSession
    private var framer: ManageSieveCommandFramer
    /// Responses not yet written, and the bytes read so far (for STARTTLS).
    private var io: ConnectionIO
    private var closed = false
    /// Set when the session stopped reading because of a graceful shutdown.
    private var shutdownClosed = false

    init(connection: Connection, configuration: ManageSieveConfiguration, backend: Backend,
         shutdown: IdleShutdownSignal, logger: Logger) {
        self.channel = connection.channel.channel
        self.io = ConnectionIO(channel: connection.channel.channel)
        self.configuration = configuration
        self.backend = backend
        self.clientAddress = connection.remoteAddress
        self.exceedsLimit = connection.exceedsPerAddressLimit
        self.shutdown = shutdown
        self.logger = logger
        let settings = ManageSieveSession.Settings(
            implementationName: configuration.implementationName, sieveExtensions: backend.sieveExtensions,
            tlsAvailable: configuration.tls != nil,
            allowPlaintextAuthOnLoopback: configuration.allowPlaintextAuthOnLoopback,
            maximumScriptSize: configuration.maximumScriptSize, errorLimit: configuration.errorLimit,
            authenticationFailureLimit: configuration.authenticationFailureLimit)
        self.session = ManageSieveSession(settings: settings, tls: connection.implicitTLS,
                                          isLoopback: connection.isLoopback)
        self.framer = ManageSieveCommandFramer(
            maximumLineLength: configuration.maximumLineLength, maximumLiteralSize: configuration.maximumScriptSize,
            literalDiscardLimit: configuration.literalDiscardLimit)
    }

    mutating func run(_ inbound: Inbound) async throws {
        var iterator = inbound.makeAsyncIterator()
        try await perform(session.connected(exceedsPerAddressLimit: exceedsLimit))
        while !closed {
            guard let event = try await nextEvent(&iterator) else {
                if shutdownClosed { try await perform(session.shutdownRequested()) }
                return
            }
            let action: ManageSieveSession.Action
            switch event {
            case .failure(let error):
                action = session.receive(ManageSieveSyntaxError.framing(error))
            case .command(let line):
                if session.expectsSASLResponse {
                    action = session.receiveSASLResponse(line)
                } else {
                    do throws(ManageSieveSyntaxError) {
                        let command = try ManageSieveCommand(parsing: line)
                        logger.trace("command", metadata: ["name": "\(command.name)"])
                        action = session.receive(command)
                    } catch {
                        action = session.receive(error)
                    }
                }
            }
            try await perform(action)
        }
    }

    private var info: ManageSieveSessionInfo {
        ManageSieveSessionInfo(clientAddress: clientAddress, isLoopback: session.isLoopback, tls: session.tls)
    }

    // MARK: - Actions

    private mutating func perform(_ first: ManageSieveSession.Action) async throws {
        var next: ManageSieveSession.Action? = first
        while let action = next {
            next = nil
            switch action {
            case .reply(let response):
                response.encode(into: &io.output)
                // A large script goes out now rather than piling up behind pipelined commands.
                if io.output.readableBytes > 1 << 16 { try await io.flush() }
            case .close(let response):
                response.encode(into: &io.output)
                try await io.flush()
                closed = true
                try await channel.close()
            case .challenge(let bytes):
                ManageSieveResponse.encodeString(bytes, into: &io.output)
                io.output.writeString("\r\n")
            case .authenticate(let credentials):
                let user = await backend.authenticate(username: credentials.username, password: credentials.password,
                                                      session: info)
                logger.info("auth", metadata: ["result": "\(user == nil ? "failed" : "ok")"])
                next = session.authenticated(user: user)
            case .run(let operation, let user):
                let result = await backend.run(operation, user: user)
                next = session.finished(result)
            case .startTLS(let response):
                try await io.flush()
                guard framer.isEmpty, let tls = configuration.tls else {
                    try await refusePipelinedPlaintext()
                    return
                }
                do {
                    try await ServerKit.startTLS(on: channel, tls: tls, reply: response.encoded,
                                                 consumedBytes: io.consumedBytes)
                } catch StartTLSError.plaintextPipelined {
                    try await refusePipelinedPlaintext()
                    return
                }
                // RFC 5804 §2.2: the capabilities again, now over TLS.
                next = session.tlsStarted()
            }
        }
    }

    /// CVE-2011-0411: bytes sent after STARTTLS, before the handshake, would pass for TLS-protected.
    private mutating func refusePipelinedPlaintext() async throws {
        logger.info("plaintext pipelined after STARTTLS; closing")
        closed = true
        try await channel.close()
    }

    // MARK: - Reading

    /// The next command (or framing error); nil when the peer closed or shutdown was requested.
    private mutating func nextEvent(_ iterator: inout Inbound.AsyncIterator) async throws -> ManageSieveFramingEvent? {
        while true {
            if let event = framer.next() { return event }
            if shutdown.beginIdleWait() {
                shutdownClosed = true
                return nil
            }
            defer { shutdown.endIdleWait() }
            guard let bytes = try await read(&iterator) else { return nil }
            framer.append(bytes)
        }
    }

    /// Flushes pending responses, then waits for bytes; when the client stays silent past the
    /// idle timeout (RFC 5804 §1.3), it gets BYE and the connection closes.
    private mutating func read(_ iterator: inout Inbound.AsyncIterator) async throws -> ByteBuffer? {
        let timeout = session.isAuthenticated ? configuration.idleTimeout : configuration.unauthenticatedIdleTimeout
        return try await io.read(&iterator, timeout: timeout, farewell: ManageSieveSession.idleFarewell.encoded)
    }

}
