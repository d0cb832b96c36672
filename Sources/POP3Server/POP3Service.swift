import Logging
import ServerKit
import ServiceLifecycle

/// One POP3 listener (plain with STLS, or implicit TLS) as a swift-service-lifecycle `Service`.
/// Graceful shutdown stops accepting and closes idle sessions without UPDATE.
public struct POP3Service: Service {
    private let listener: Listener<POP3ConnectionHandler<AnyPOP3Backend>>

    public init(
        kind: POP3ListenerKind, host: String, port: Int, configuration: POP3Configuration, backend: some POP3Backend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(kind != .implicitTLS || configuration.tls != nil, "implicit TLS needs a TLS context")
        listener = Listener(
            host: host, port: port, implicitTLS: kind == .implicitTLS ? configuration.tls : nil,
            connectionsPerAddress: configuration.connectionsPerAddress,
            handler: POP3ConnectionHandler(kind: kind, configuration: configuration, backend: AnyPOP3Backend(backend)),
            logger: logger, onBound: onBound)
    }

    public func run() async throws {
        try await listener.run()
    }
}

/// Type erasure, so that `POP3Service` is not generic over its backend.
struct AnyPOP3Backend: POP3Backend {
    private let base: any POP3Backend

    init(_ base: some POP3Backend) { self.base = base }

    func authenticate(username: String, password: String, session: POP3SessionInfo) async -> String? {
        await base.authenticate(username: username, password: password, session: session)
    }
    func openMaildrop(of user: String) async -> POP3MaildropOpening {
        await base.openMaildrop(of: user)
    }
    func content(of message: POP3MessageInfo, user: String) async -> [UInt8]? {
        await base.content(of: message, user: user)
    }
    func commitDeletions(_ messages: [POP3MessageInfo], user: String) async -> Bool {
        await base.commitDeletions(messages, user: user)
    }
    func closeMaildrop(of user: String) async {
        await base.closeMaildrop(of: user)
    }
}
