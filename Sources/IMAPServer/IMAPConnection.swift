import Logging
import NIOCore
import ServerKit

/// Serves IMAP on the connections of a `Listener`.
struct IMAPConnectionHandler<Backend: IMAPBackend>: ConnectionHandler {
    let kind: IMAPListenerKind
    let configuration: IMAPConfiguration
    let backend: Backend

    func handle(_ connection: Connection, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "protocol"] = "imap"
        logger[metadataKey: "listener"] = "\(kind.rawValue)"
        logger[metadataKey: "client"] = "\(connection.remoteAddress)"
        let shutdown = IdleShutdownSignal()
        var session = IMAPConnection(connection: connection, configuration: configuration, backend: backend,
                                     shutdown: shutdown, logger: logger)
        // Idle, waiting for a command (or in IDLE): say BYE and close now.
        let farewell = ByteBuffer(bytes: IMAPResponseEncoder().encode(IMAPSession.shuttingDown))
        await connection.serve(shutdown: shutdown, farewell: farewell, logger: logger) { inbound in
            try await session.run(inbound)
        }
        session.stopWatching()
    }
}

/// One IMAP connection: frames bytes into commands (`IMAPCommandParser`), hands them to the
/// session (`IMAPSession`) and carries out its actions: writing responses, running backend
/// operations, STARTTLS, IDLE.
///
/// Input comes through one stream that merges the client's bytes (read by a child task, one
/// buffer per request so that nothing is read ahead of a STARTTLS) with the backend's change
/// notifications during IDLE; the session's task is the only one that touches the session.
struct IMAPConnection<Backend: IMAPBackend> {
    typealias Inbound = NIOAsyncChannelInboundStream<ByteBuffer>

    /// What the session's task waits for.
    enum Input: Sendable {
        case bytes(ByteBuffer)
        case end
        case mailboxChanged
    }

    private let channel: any Channel
    private let configuration: IMAPConfiguration
    private let backend: Backend
    private let clientAddress: String
    private let exceedsLimit: Bool
    private let shutdown: IdleShutdownSignal
    private let logger: Logger
    private var session: IMAPSession
    private var parser: IMAPCommandParser
    /// Responses not yet written, and the bytes read so far (for STARTTLS).
    private var io: ConnectionIO
    private var closed = false
    /// Set when the session stopped reading because of a graceful shutdown.
    private var shutdownClosed = false
    /// The reader task was asked for bytes and has not delivered them yet.
    private var demandOutstanding = false
    /// Forwards the backend's change notifications while the client idles.
    private var watcher: Task<Void, Never>?
    /// Spool files of the current command's streamed APPEND literals.
    private var spooler: IMAPLiteralSpooler

    init(connection: Connection, configuration: IMAPConfiguration, backend: Backend, shutdown: IdleShutdownSignal,
         logger: Logger) {
        self.channel = connection.channel.channel
        self.io = ConnectionIO(channel: connection.channel.channel)
        self.configuration = configuration
        self.backend = backend
        self.clientAddress = connection.remoteAddress
        self.exceedsLimit = connection.exceedsPerAddressLimit
        self.shutdown = shutdown
        self.logger = logger
        let settings = IMAPSession.Settings(
            serverName: configuration.serverName, tlsAvailable: configuration.tls != nil,
            allowPlaintextAuthOnLoopback: configuration.allowPlaintextAuthOnLoopback, limits: configuration.limits,
            errorLimit: configuration.errorLimit, authenticationFailureLimit: configuration.authenticationFailureLimit)
        self.session = IMAPSession(settings: settings, tls: connection.implicitTLS, isLoopback: connection.isLoopback)
        self.parser = IMAPCommandParser(limits: configuration.limits)
        self.spooler = IMAPLiteralSpooler(directory: configuration.spoolDirectory)
    }

    mutating func run(_ inbound: Inbound) async throws {
        let (inputs, sink) = AsyncStream<Input>.makeStream()
        let (demand, demandSink) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Reads one buffer each time the session asks for more.
                var bytes = inbound.makeAsyncIterator()
                var requests = demand.makeAsyncIterator()
                defer { sink.yield(.end) }
                while await requests.next() != nil {
                    guard let buffer = try await bytes.next() else { return }
                    sink.yield(.bytes(buffer))
                }
            }
            defer {
                demandSink.finish()
                group.cancelAll()
            }
            var iterator = inputs.makeAsyncIterator()
            do {
                try await serve(&iterator, demand: demandSink, sink: sink)
            } catch {
                await spooler.discard()
                throw error
            }
            await spooler.discard()
        }
    }

    mutating func stopWatching() {
        watcher?.cancel()
        watcher = nil
    }

    private mutating func serve(
        _ inputs: inout AsyncStream<Input>.AsyncIterator, demand: AsyncStream<Void>.Continuation,
        sink: AsyncStream<Input>.Continuation
    ) async throws {
        try await perform(session.connected(exceedsPerAddressLimit: exceedsLimit), sink: sink)
        while !closed {
            guard let input = try await nextInput(&inputs, demand: demand) else {
                if shutdownClosed { try await perform(session.shutdownRequested(), sink: sink) }
                return
            }
            let action: IMAPSession.Action
            var endsCommand = false
            switch input {
            case .event(.literalOctets(let octets, let isLast)):
                try await spool(octets, isLast: isLast)
                continue
            case .event(.command(let tagged)):
                logger.trace("command", metadata: ["name": "\(tagged.command.name)"])
                action = session.receive(.command(spooler.isEmpty ? tagged : spooler.resolve(tagged)))
                endsCommand = true
            case .event(let event):
                if case .error = event { endsCommand = true }
                action = session.receive(event)
            case .mailboxChanged:
                action = session.mailboxChanged()
            }
            try await perform(action, sink: sink)
            // The command's streamed literals were read by the backend (or it was refused).
            if endsCommand, !spooler.isEmpty { await spooler.discard() }
        }
    }

    /// Writes a piece of a streamed APPEND literal to its spool file. A write that fails (disk
    /// full) ends the connection with BYE: the client has committed to sending the octets.
    private mutating func spool(_ octets: [UInt8], isLast: Bool) async throws {
        do {
            try await spooler.write(octets, isLast: isLast)
        } catch {
            logger.error("imap: cannot spool a literal", metadata: ["error": "\(error)"])
            await spooler.discard()
            io.output.writeBytes(IMAPResponseEncoder().encode(IMAPSession.literalNotStored))
            try await io.flush()
            closed = true
            try await channel.close()
        }
    }

    private var info: IMAPSessionInfo {
        IMAPSessionInfo(clientAddress: clientAddress, isLoopback: session.isLoopback, tls: session.tls)
    }

    // MARK: - Actions

    private mutating func perform(_ first: IMAPSession.Action, sink: AsyncStream<Input>.Continuation) async throws {
        var next: IMAPSession.Action? = first
        while let action = next {
            next = nil
            let encoder = IMAPResponseEncoder(utf8Enabled: session.utf8Enabled)
            for response in action.responses { io.output.writeBytes(encoder.encode(response)) }
            // A large FETCH goes out as it is produced rather than piling up.
            if io.output.readableBytes > 1 << 16, action.next != .startTLS { try await io.flush() }
            if session.isIdling, watcher == nil, let mailbox = session.selectedMailbox, let user = session.user {
                startWatching(mailbox, user: user, sink: sink)
            } else if !session.isIdling {
                stopWatching()
            }
            switch action.next {
            case .read:
                break
            case .perform(let operation):
                let result = await backend.run(operation, user: session.user ?? "")
                next = session.finished(result)
            case .authenticate(let credentials):
                let user = await backend.authenticate(username: credentials.username, password: credentials.password,
                                                      session: info)
                logger.info("auth", metadata: ["result": "\(user == nil ? "failed" : "ok")"])
                next = session.authenticated(user: user)
            case .readAuthenticationResponse:
                parser.expect(.authenticationResponse)
            case .idle:
                parser.expect(.idleDone)
            case .startTLS:
                try await startTLS()
            case .close:
                try await io.flush()
                closed = true
                try await channel.close()
            }
            parser.utf8Enabled = session.utf8Enabled
        }
    }

    private mutating func startTLS() async throws {
        let reply = io.takeOutput()
        guard parser.bufferedByteCount == 0, let tls = configuration.tls else {
            try await refusePipelinedPlaintext()
            return
        }
        do {
            try await ServerKit.startTLS(on: channel, tls: tls, reply: reply, consumedBytes: io.consumedBytes)
        } catch StartTLSError.plaintextPipelined {
            try await refusePipelinedPlaintext()
            return
        }
        session.tlsStarted()
    }

    /// CVE-2011-0411: bytes sent after STARTTLS, before the handshake, would pass for TLS-protected.
    private mutating func refusePipelinedPlaintext() async throws {
        logger.info("plaintext pipelined after STARTTLS; closing")
        closed = true
        try await channel.close()
    }

    private mutating func startWatching(_ mailbox: MailboxName, user: String, sink: AsyncStream<Input>.Continuation) {
        let backend = self.backend
        watcher = Task {
            let changes = await backend.changeNotifications(for: mailbox, user: user)
            for await _ in changes {
                if Task.isCancelled { return }
                sink.yield(.mailboxChanged)
            }
        }
    }

    // MARK: - Reading

    private enum Event {
        case event(IMAPCommandParser.Event)
        case mailboxChanged
    }

    /// The next parser event or change; nil when the peer closed or shutdown was requested.
    private mutating func nextInput(
        _ inputs: inout AsyncStream<Input>.AsyncIterator, demand: AsyncStream<Void>.Continuation
    ) async throws -> Event? {
        while true {
            if let event = parser.next() { return .event(event) }
            if !demandOutstanding {
                demand.yield()
                demandOutstanding = true
            }
            try await io.flush()
            if shutdown.beginIdleWait() {
                shutdownClosed = true
                return nil
            }
            defer { shutdown.endIdleWait() }
            // RFC 9051 §5.4: the autologout timer; shorter before login.
            let timeout =
                session.state == .notAuthenticated ? configuration.unauthenticatedIdleTimeout : configuration.idleTimeout
            let farewell = ByteBuffer(bytes: IMAPResponseEncoder().encode(IMAPSession.autologout))
            let timer = ReadTimeout(channel: channel, timeout: timeout, farewell: farewell)
            defer { timer.cancel() }
            guard let input = await inputs.next() else { return nil }
            switch input {
            case .bytes(let buffer):
                demandOutstanding = false
                io.consumed(buffer.readableBytes)
                parser.append(buffer.readableBytesView)
            case .end:
                return nil
            case .mailboxChanged:
                return .mailboxChanged
            }
        }
    }

}
