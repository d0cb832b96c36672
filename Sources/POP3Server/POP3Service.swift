import Logging
import ServerKit
import ServiceLifecycle

/// One POP3 listener (plain with STLS, or implicit TLS) as a swift-service-lifecycle `Service`.
/// Graceful shutdown stops accepting and closes idle sessions without UPDATE.
public struct POP3Service: ListenerService {
    public var listener: Listener

    public init(
        kind: POP3ListenerKind, host: String, port: Int, configuration: POP3Configuration, backend: some POP3Backend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(kind != .implicitTLS || configuration.tls != nil, "implicit TLS needs a TLS context")
        listener = Listener(
            host: host, port: port, implicitTLS: kind == .implicitTLS ? configuration.tls : nil,
            limiter: configuration.limiter ?? ConnectionLimiter(limit: configuration.connectionsPerAddress),
            handler: POP3Connection.handler(kind: kind, configuration: configuration, backend: backend),
            logger: logger, onBound: onBound)
    }
}
