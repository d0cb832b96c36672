import Logging
import ServerKit
import ServiceLifecycle

/// One SMTP listener (MX, submission or implicit-TLS submission) as a swift-service-lifecycle
/// `Service`. Graceful shutdown stops accepting, closes idle sessions with 421, and lets
/// transactions in flight finish.
public struct SMTPService: ListenerService {
    public var listener: Listener

    public init(
        kind: SMTPListenerKind, host: String, port: Int, configuration: SMTPConfiguration, backend: some SMTPBackend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(kind != .submissionTLS || configuration.tls != nil, "implicit TLS needs a TLS context")
        listener = Listener(
            host: host, port: port, implicitTLS: kind == .submissionTLS ? configuration.tls : nil,
            limiter: configuration.limiter ?? ConnectionLimiter(limit: configuration.limits.connectionsPerAddress),
            handler: SMTPConnection.handler(kind: kind, configuration: configuration, backend: backend),
            logger: logger, onBound: onBound)
    }
}
