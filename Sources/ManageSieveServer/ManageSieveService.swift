import Logging
import ServerKit
import ServiceLifecycle

/// One ManageSieve listener (RFC 5804; port 4190, plaintext with STARTTLS) as a
/// swift-service-lifecycle `Service`. Graceful shutdown stops accepting, lets operations in
/// flight finish, and closes idle sessions with BYE (TRYLATER).
public struct ManageSieveService: ListenerService {
    public var listener: Listener

    public init(
        host: String, port: Int, configuration: ManageSieveConfiguration, backend: some ManageSieveBackend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        listener = Listener(
            host: host, port: port,
            limiter: configuration.limiter ?? ConnectionLimiter(limit: configuration.connectionsPerAddress),
            handler: ManageSieveConnection.handler(configuration: configuration, backend: backend),
            logger: logger, onBound: onBound)
    }
}
