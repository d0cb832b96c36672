import Logging
import MailStore
import ManageSieveServer
import ServerKit
import ServiceLifecycle

extension MailServer {
    /// The ManageSieve listener (RFC 5804) when `[managesieve]` enables it, by its name in `BoundPorts`.
    func manageSieveListenerNames() -> [String] {
        configuration.manageSieve.listener.enabled ? ["managesieve"] : []
    }

    /// One `ManageSieveService` (STARTTLS with the server's TLS context) over the script API of the
    /// store, sharing the store's login throttle with SMTP and POP3.
    func makeManageSieveListeners(store: MailStore, tls: ServerTLS,
                                  connections: SharedConnections, latch: ReadyLatch) -> [any Service] {
        let settings = configuration.manageSieve
        guard settings.listener.enabled else { return [] }
        var backend = ManageSieveMailStoreBackend(
            store: store, maximumScripts: settings.maximumScripts,
            maximumScriptSize: settings.maximumScriptSize, logger: logger)
        backend.metrics = metrics
        var manageSieve = ManageSieveConfiguration(tls: tls)
        manageSieve.allowPlaintextAuthOnLoopback = configuration.auth.allowPlaintextOnLoopback
        manageSieve.connectionsPerAddress = configuration.limits.connectionsPerIP
        manageSieve.limiter = connections.limiter
        manageSieve.timing = connections.timing
        manageSieve.maximumScriptSize = settings.maximumScriptSize
        var log = logger
        log[metadataKey: "listener"] = "managesieve"
        var service = ManageSieveService(host: settings.listener.address, port: settings.listener.port,
                                   configuration: manageSieve, backend: backend, logger: log,
                                   onBound: { port in latch.bound("managesieve", port: port) })
        service.listener.proxyProtocol = settings.listener.proxyProtocol(timing: connections.timing)
        return [service]
    }
}
