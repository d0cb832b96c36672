import Logging
import NIOCore
import ServerKit

/// One ManageSieve connection: carries out the actions of `ManageSieveSession` on a socket.
struct ManageSieveConnection: ProtocolConnection {
    typealias Inbound = ConnectionShell.Inbound

    private let configuration: ManageSieveConfiguration
    private let backend: any ManageSieveBackend
    private var session: ManageSieveSession
    private var framer: ManageSieveCommandFramer
    /// Pending responses, timed reads, STARTTLS and closing.
    private var io: ConnectionShell

    /// The handler of a ManageSieve listener.
    static func handler(configuration: ManageSieveConfiguration, backend: any ManageSieveBackend)
        -> ProtocolConnectionHandler<ManageSieveConnection>
    {
        // Idle, waiting for a command at shutdown: say so and close now.
        ProtocolConnectionHandler(
            protocolName: "managesieve",
            farewell: ManageSieveResponse.bye("Server shutting down", code: .tryLater).encoded,
            timing: configuration.timing
        ) { shell in
            ManageSieveConnection(shell: shell, configuration: configuration, backend: backend)
        }
    }

    init(shell: ConnectionShell, configuration: ManageSieveConfiguration, backend: any ManageSieveBackend) {
        self.io = shell
        self.configuration = configuration
        self.backend = backend
        let settings = ManageSieveSession.Settings(
            implementationName: configuration.implementationName, sieveExtensions: backend.sieveExtensions,
            tlsAvailable: configuration.tls != nil,
            allowPlaintextAuthOnLoopback: configuration.allowPlaintextAuthOnLoopback,
            maximumScriptSize: configuration.maximumScriptSize, errorLimit: configuration.errorLimit,
            authenticationFailureLimit: configuration.authenticationFailureLimit)
        self.session = ManageSieveSession(settings: settings, tls: shell.implicitTLS, isLoopback: shell.isLoopback)
        self.framer = ManageSieveCommandFramer(
            maximumLineLength: configuration.maximumLineLength, maximumLiteralSize: configuration.maximumScriptSize,
            literalDiscardLimit: configuration.literalDiscardLimit)
    }

    private var logger: Logger { io.logger }

    mutating func run(_ inbound: Inbound) async throws {
        var iterator = inbound.makeAsyncIterator()
        try await perform(session.connected(io.admission))
        while !io.isClosed {
            // RFC 5804 §1.3: silence past the idle timeout gets BYE and the connection closes.
            let idleTimeout = session.isAuthenticated ? configuration.idleTimeout : configuration.unauthenticatedIdleTimeout
            guard let event = try await io.nextFrame(of: &framer, from: &iterator, idleTimeout: idleTimeout,
                                                     farewell: ManageSieveSession.idleFarewell.encoded)
            else {
                if io.stoppedForShutdown { try await perform(session.shutdownRequested()) }
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
        ManageSieveSessionInfo(clientAddress: io.clientAddress, isLoopback: session.isLoopback, tls: session.tls)
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
                try await io.close()
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
                guard try await io.startTLS(configuration.tls, reply: response.encoded,
                                            framerHoldsBytes: !framer.isEmpty) else { return }
                // RFC 5804 §2.2: the capabilities again, now over TLS.
                next = session.tlsStarted()
            }
        }
    }
}

extension ManageSieveCommandFramer: InboundFramer {
    public mutating func nextFrame() -> ManageSieveFramingEvent? {
        next()
    }

    /// A line, or the literals of a command, not yet complete.
    public var holdsPartialFrame: Bool { !isEmpty }
}
