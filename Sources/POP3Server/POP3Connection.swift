import Logging
import NIOCore
import ServerKit

/// One POP3 connection: carries out the actions of `POP3Session` on a socket.
struct POP3Connection: ProtocolConnection {
    typealias Inbound = ConnectionShell.Inbound

    private let configuration: POP3Configuration
    private let backend: any POP3Backend
    private var session: POP3Session
    private var framer: CRLFFramer
    /// Pending responses, timed reads, STARTTLS and closing.
    private var io: ConnectionShell
    /// The user whose maildrop this connection opened and locked.
    private var lockedUser: String?

    /// The handler of a POP3 listener of kind `kind`.
    static func handler(kind: POP3ListenerKind, configuration: POP3Configuration, backend: any POP3Backend)
        -> ProtocolConnectionHandler<POP3Connection>
    {
        // Idle, waiting for a command at shutdown: close now, without UPDATE.
        ProtocolConnectionHandler(
            protocolName: "pop3", listenerName: kind.rawValue,
            farewell: POP3Response.error("Server shutting down", code: .systemTemporary).encoded,
            timing: configuration.timing
        ) { shell in
            POP3Connection(shell: shell, configuration: configuration, backend: backend)
        }
    }

    init(shell: ConnectionShell, configuration: POP3Configuration, backend: any POP3Backend) {
        self.io = shell
        self.configuration = configuration
        self.backend = backend
        let settings = POP3Session.Settings(
            hostname: configuration.hostname, tlsAvailable: configuration.tls != nil,
            allowPlaintextOnLoopback: configuration.allowPlaintextOnLoopback, errorLimit: configuration.errorLimit)
        self.session = POP3Session(settings: settings, tls: shell.implicitTLS, isLoopback: shell.isLoopback)
        self.framer = CRLFFramer(maximumLineLength: configuration.lineLength)
    }

    private var logger: Logger { io.logger }

    mutating func run(_ inbound: Inbound) async throws {
        var iterator = inbound.makeAsyncIterator()
        try await perform(session.connected(io.admission))
        while !io.isClosed {
            // RFC 1939 §3: the autologout timer; when it fires nothing is deleted.
            guard let line = try await io.nextFrame(of: &framer, from: &iterator, idleTimeout: configuration.idleTimeout,
                                                    farewell: POP3Session.autologout.encoded)
            else {
                if io.stoppedForShutdown { try await perform(session.shutdownRequested()) }
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

    /// However the connection ended, the maildrop lock goes (a drop deletes nothing).
    mutating func connectionClosed() async {
        guard let user = lockedUser else { return }
        lockedUser = nil
        await backend.closeMaildrop(of: user)
    }

    private var info: POP3SessionInfo {
        POP3SessionInfo(clientAddress: io.clientAddress, isLoopback: session.isLoopback, tls: session.tls)
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
                try await io.close()
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
                guard try await io.startTLS(configuration.tls, reply: response.encoded,
                                            framerHoldsBytes: framer.bufferedBytes > 0) else { return }
                session.tlsStarted()
            case .commitDeletions(let user, let messages):
                let done = await backend.commitDeletions(messages, user: user)
                logger.info("update", metadata: ["user": "\(user)", "deleted": "\(done ? messages.count : 0)"])
                next = session.deletionsCommitted(done)
            }
        }
    }
}
