import Logging
import MailStore
import POP3Server
import ServerKit
import ServiceLifecycle

extension MailServer {
    /// The enabled POP3 listeners: `pop3` (plaintext with STLS) and `pop3s`
    /// (implicit TLS).
    func pop3Listeners() -> [(name: String, kind: POP3ListenerKind, listener: TresorConfiguration.Listener)] {
        [("pop3", .plain, configuration.pop3), ("pop3s", .implicitTLS, configuration.pop3s)]
            .filter { $0.listener.enabled }
    }

    /// One `POP3Service` per enabled listener over one shared backend (and so one set of
    /// maildrop locks: a user's maildrop is locked across both ports).
    func makePOP3Listeners(
        _ listeners: [(name: String, kind: POP3ListenerKind, listener: TresorConfiguration.Listener)],
        store: MailStore, tls: ServerTLS, connections: SharedConnections,
        latch: ReadyLatch
    ) -> [any Service] {
        guard !listeners.isEmpty else { return [] }
        var backend = POP3MailStoreBackend(store: store, logger: logger)
        backend.metrics = metrics
        var pop3 = POP3Configuration(hostname: configuration.hostname, tls: tls)
        pop3.allowPlaintextOnLoopback = configuration.auth.allowPlaintextOnLoopback
        pop3.connectionsPerAddress = configuration.limits.connectionsPerIP
        pop3.limiter = connections.limiter
        pop3.timing = connections.timing
        return listeners.map { entry in
            var log = logger
            log[metadataKey: "listener"] = "\(entry.name)"
            var service = POP3Service(kind: entry.kind, host: entry.listener.address, port: entry.listener.port,
                               configuration: pop3, backend: backend, logger: log,
                               onBound: { port in latch.bound(entry.name, port: port) })
            service.listener.proxyProtocol = entry.listener.proxyProtocol(timing: connections.timing)
            return service
        }
    }
}
