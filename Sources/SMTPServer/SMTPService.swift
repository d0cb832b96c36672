import Logging
import ServerKit
import ServiceLifecycle

/// One SMTP listener (MX, submission or implicit-TLS submission) as a swift-service-lifecycle
/// `Service`. Graceful shutdown stops accepting, closes idle sessions with 421, and lets
/// transactions in flight finish.
public struct SMTPService: Service {
    private let listener: Listener<SMTPConnectionHandler<AnySMTPBackend>>

    public init(
        kind: SMTPListenerKind, host: String, port: Int, configuration: SMTPConfiguration, backend: some SMTPBackend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(kind != .submissionTLS || configuration.tls != nil, "implicit TLS needs a TLS context")

        let implicitTLS = kind == .submissionTLS ? configuration.tls : nil
        listener = Listener(
            host: host, port: port, implicitTLS: implicitTLS,
            connectionsPerAddress: configuration.limits.connectionsPerAddress,
            handler: SMTPConnectionHandler(kind: kind, configuration: configuration, backend: AnySMTPBackend(backend)),
            logger: logger, onBound: onBound)
    }

    public func run() async throws {
        try await listener.run()
    }
}

/// Type erasure, so that `SMTPService` is not generic over its backend.
struct AnySMTPBackend: SMTPBackend {
    private let base: any SMTPBackend

    init(_ base: some SMTPBackend) { self.base = base }

    func authenticate(username: String, password: String, session: SMTPSessionInfo) async -> String? {
        await base.authenticate(username: username, password: password, session: session)
    }
    func checkSender(_ reversePath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        await base.checkSender(reversePath, session: session)
    }
    func checkRecipient(_ forwardPath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        await base.checkRecipient(forwardPath, session: session)
    }
    func deliver(envelope: SMTPEnvelope, message: [UInt8], session: SMTPSessionInfo) async -> SMTPReply {
        await base.deliver(envelope: envelope, message: message, session: session)
    }
}
