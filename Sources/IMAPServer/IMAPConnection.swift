import Logging
import NIOCore
import ServerKit

/// One IMAP connection: frames bytes into commands (`IMAPCommandParser`), hands them to the
/// session (`IMAPSession`) and carries out its actions: writing responses, running backend
/// operations, STARTTLS, IDLE.
///
/// Input comes through one stream that merges the client's bytes (read by a child task, one
/// buffer per request so that nothing is read ahead of a STARTTLS) with the backend's change
/// notifications during IDLE; the session's task is the only one that touches the session.
struct IMAPConnection: ProtocolConnection {
    typealias Inbound = ConnectionShell.Inbound

    /// What the session's task waits for.
    enum Input: Sendable {
        case bytes(ByteBuffer)
        case end
        case mailboxChanged
    }

    private let configuration: IMAPConfiguration
    private let backend: any IMAPBackend
    private var session: IMAPSession
    private var parser: IMAPCommandParser
    /// Pending responses, timed waits, STARTTLS and closing.
    private var io: ConnectionShell
    /// Bytes received since the last command ended: a command is under way (its deadline runs).
    private var commandBytesPending = 0
    /// The reader task was asked for bytes and has not delivered them yet.
    private var demandOutstanding = false
    /// Forwards the backend's change notifications while the client idles.
    private var watcher: Task<Void, Never>?
    /// Spool files of the current command's streamed APPEND literals.
    private var spooler: IMAPLiteralSpooler

    /// The handler of an IMAP listener of kind `kind`.
    static func handler(kind: IMAPListenerKind, configuration: IMAPConfiguration, backend: any IMAPBackend)
        -> ProtocolConnectionHandler<IMAPConnection>
    {
        // Idle, waiting for a command (or in IDLE) at shutdown: say BYE and close now.
        ProtocolConnectionHandler(
            protocolName: "imap", listenerName: kind.rawValue,
            farewell: ByteBuffer(bytes: IMAPResponseEncoder().encode(IMAPSession.shuttingDown)),
            timing: configuration.timing
        ) { shell in
            IMAPConnection(shell: shell, configuration: configuration, backend: backend)
        }
    }

    init(shell: ConnectionShell, configuration: IMAPConfiguration, backend: any IMAPBackend) {
        self.io = shell
        self.configuration = configuration
        self.backend = backend
        let settings = IMAPSession.Settings(
            serverName: configuration.serverName, tlsAvailable: configuration.tls != nil,
            allowPlaintextAuthOnLoopback: configuration.allowPlaintextAuthOnLoopback, limits: configuration.limits,
            errorLimit: configuration.errorLimit, authenticationFailureLimit: configuration.authenticationFailureLimit)
        self.session = IMAPSession(settings: settings, tls: shell.implicitTLS, isLoopback: shell.isLoopback)
        self.parser = IMAPCommandParser(limits: configuration.limits)
        self.spooler = IMAPLiteralSpooler(directory: configuration.spoolDirectory)
    }

    private var logger: Logger { io.logger }

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

    mutating func connectionClosed() async {
        stopWatching()
    }

    mutating func stopWatching() {
        watcher?.cancel()
        watcher = nil
    }

    private mutating func serve(
        _ inputs: inout AsyncStream<Input>.AsyncIterator, demand: AsyncStream<Void>.Continuation,
        sink: AsyncStream<Input>.Continuation
    ) async throws {
        try await perform(session.connected(io.admission), sink: sink)
        while !io.isClosed {
            guard let input = try await nextInput(&inputs, demand: demand) else {
                if io.stoppedForShutdown { try await perform(session.shutdownRequested(), sink: sink) }
                return
            }
            let action: IMAPSession.Action
            var endsCommand = false
            switch input {
            case .event(.command), .event(.error), .event(.idleDone), .event(.continuationLine):
                // The client's part of a command is complete; what follows belongs to the next one.
                commandBytesPending = parser.bufferedByteCount
            case .event, .mailboxChanged:
                break
            }
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
            try await io.close()
        }
    }

    private var info: IMAPSessionInfo {
        IMAPSessionInfo(clientAddress: io.clientAddress, isLoopback: session.isLoopback, tls: session.tls)
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
                try await io.close()
            }
            parser.utf8Enabled = session.utf8Enabled
        }
    }

    /// RFC 9051 §6.2.1: the tagged OK is the last of the responses written; TLS starts right after.
    private mutating func startTLS() async throws {
        let reply = io.takeOutput()
        guard try await io.startTLS(configuration.tls, reply: reply, framerHoldsBytes: parser.bufferedByteCount > 0)
        else { return }
        session.tlsStarted()
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
            // RFC 9051 §5.4: the autologout timer, shorter before login; and the deadline of a
            // command under way (its line, its literals), which its bytes do not extend.
            let timeout =
                session.state == .notAuthenticated ? configuration.unauthenticatedIdleTimeout : configuration.idleTimeout
            let farewell = ByteBuffer(bytes: IMAPResponseEncoder().encode(IMAPSession.autologout))
            guard let input = try await io.waitForInput(
                idle: true, idleTimeout: timeout, insideCommand: commandBytesPending > 0, farewell: farewell,
                { await inputs.next() })
            else { return nil }
            switch input {
            case .bytes(let buffer):
                demandOutstanding = false
                io.received(buffer.readableBytes)
                commandBytesPending += buffer.readableBytes
                parser.append(buffer.readableBytesView)
            case .end:
                return nil
            case .mailboxChanged:
                return .mailboxChanged
            }
        }
    }

}
