import Logging
import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ServerKit
import ServiceLifecycle
import SMTPServer

extension MailServer {
    /// The enabled SMTP listeners: MX (`smtp`), submission with STARTTLS (RFC 6409) and
    /// submission over implicit TLS (`submissions`, RFC 8314 §3.3).
    func smtpListeners() -> [(name: String, kind: SMTPListenerKind, listener: TresorConfiguration.Listener)] {
        [("smtp", .mx, configuration.smtp), ("submission", .submission, configuration.submission),
         ("submissions", .submissionTLS, configuration.submissions)]
            .filter { $0.listener.enabled }
    }

    /// One `SMTPService` per enabled listener over one shared backend and TLS context, one spool
    /// folder (`DATA/spool/smtp`) and one cap on the bytes of messages in flight (`[limits]`).
    func makeSMTPListeners(
        _ listeners: [(name: String, kind: SMTPListenerKind, listener: TresorConfiguration.Listener)],
        backend: MeteredSMTPBackend<SMTPMailStoreBackend>, tls: ServerTLS, connections: SharedConnections, latch: ReadyLatch
    ) throws -> [any Service] {
        guard !listeners.isEmpty else { return [] }
        var smtp = SMTPConfiguration(hostname: configuration.hostname, tls: tls)
        smtp.spoolDirectory = try emptySMTPSpool().path
        smtp.limits.spoolThreshold = configuration.limits.spoolThreshold
        smtp.inFlight = SMTPInFlightBytes(capacity: configuration.limits.inFlightSize)
        smtp.limits.messageSize = configuration.limits.messageSize
        smtp.limits.recipients = configuration.limits.recipients
        smtp.limits.connectionsPerAddress = configuration.limits.connectionsPerIP
        smtp.limiter = connections.limiter
        smtp.timing = connections.timing
        smtp.allowPlaintextAuthOnLoopback = configuration.auth.allowPlaintextOnLoopback
        return listeners.map { entry in
            var log = logger
            log[metadataKey: "listener"] = "\(entry.name)"
            var service = SMTPService(kind: entry.kind, host: entry.listener.address, port: entry.listener.port,
                               configuration: smtp, backend: backend, logger: log,
                               onBound: { port in latch.bound(entry.name, port: port) })
            service.listener.proxyProtocol = entry.listener.proxyProtocol(timing: connections.timing)
            return service
        }
    }

    /// `DATA/spool/smtp`, created (0700) if missing and emptied of what a previous run left when it
    /// stopped in the middle of a message. Runs once at start, before any listener binds.
    func emptySMTPSpool() throws -> URL {
        let folder = dataDirectory.appendingPathComponent("spool/smtp", isDirectory: true)
        let files = FileManager.default
        try files.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in try files.contentsOfDirectory(atPath: folder.path) where name.hasPrefix("smtp-message-") {
            try? files.removeItem(at: folder.appendingPathComponent(name))
        }
        return folder
    }
}
