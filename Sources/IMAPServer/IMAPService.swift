import Logging
import ServerKit
import ServiceLifecycle

/// One IMAP listener (plain with STARTTLS, or implicit TLS) as a swift-service-lifecycle
/// `Service`. Graceful shutdown stops accepting, lets commands in flight finish, and closes idle
/// sessions (also those in IDLE) with `* BYE [UNAVAILABLE]`.
public struct IMAPService: ListenerService {
    public var listener: Listener

    public init(
        kind: IMAPListenerKind, host: String, port: Int, configuration: IMAPConfiguration, backend: some IMAPBackend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(kind != .implicitTLS || configuration.tls != nil, "implicit TLS needs a TLS context")
        listener = Listener(
            host: host, port: port, implicitTLS: kind == .implicitTLS ? configuration.tls : nil,
            limiter: configuration.limiter ?? ConnectionLimiter(limit: configuration.connectionsPerAddress),
            handler: IMAPConnection.handler(kind: kind, configuration: configuration, backend: backend),
            logger: logger, onBound: onBound)
    }
}
