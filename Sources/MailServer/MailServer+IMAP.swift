import IMAPServer
import Logging
import MailStore
import ServerKit
import ServiceLifecycle
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MailServer {
    /// The enabled IMAP listeners: `imap` (plaintext with STARTTLS, RFC 3501 §6.2.1) and
    /// `imaps` (implicit TLS, RFC 8314 §3.3).
    func imapListeners() -> [(name: String, kind: IMAPListenerKind, listener: TresorConfiguration.Listener)] {
        [("imap", .plain, configuration.imap), ("imaps", .implicitTLS, configuration.imaps)]
            .filter { $0.listener.enabled }
    }

    /// One `IMAPService` per enabled listener over one shared backend, which shares the AUTH
    /// store's login throttle of SMTP, POP3 and ManageSieve. APPEND takes messages up to `limits.message_size`,
    /// as SMTP does; larger ones are streamed into `DATA/spool/imap` while they arrive.
    func makeIMAPListeners(
        _ listeners: [(name: String, kind: IMAPListenerKind, listener: TresorConfiguration.Listener)],
        store: MailStore, tls: ServerTLS, connections: SharedConnections,
        latch: ReadyLatch
    ) throws -> [any Service] {
        guard !listeners.isEmpty else { return [] }
        var backend = IMAPRoutingBackend(store: store, logger: logger,
                                         defaultStorageQuota: configuration.quota.defaultStorage.map { Int64($0) })
        backend.metrics = metrics
        var imap = IMAPConfiguration(tls: tls, allowPlaintextAuthOnLoopback: configuration.auth.allowPlaintextOnLoopback,
                                     connectionsPerAddress: configuration.limits.connectionsPerIP,
                                     spoolDirectory: try emptyIMAPSpool().path)
        imap.limiter = connections.limiter
        imap.timing = connections.timing
        imap.limits.messageSize = configuration.limits.messageSize
        imap.limits.commandSize = max(imap.limits.commandSize, configuration.limits.messageSize + (1 << 20))
        return listeners.map { entry in
            var log = logger
            log[metadataKey: "listener"] = "\(entry.name)"
            var service = IMAPService(kind: entry.kind, host: entry.listener.address, port: entry.listener.port,
                               configuration: imap, backend: backend, logger: log,
                               onBound: { port in latch.bound(entry.name, port: port) })
            service.listener.proxyProtocol = entry.listener.proxyProtocol(timing: connections.timing)
            return service
        }
    }
}

extension MailServer {
    /// `DATA/spool/imap`, created (0700) if missing and emptied of what a previous run left when it
    /// stopped in the middle of an upload. Runs once at start, before any listener binds.
    func emptyIMAPSpool() throws -> URL {
        let folder = dataDirectory.appendingPathComponent("spool/imap", isDirectory: true)
        let files = FileManager.default
        try files.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in try files.contentsOfDirectory(atPath: folder.path) where name.hasPrefix("imap-literal-") {
            try? files.removeItem(at: folder.appendingPathComponent(name))
        }
        return folder
    }
}
