import Logging
import MailStore
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

    /// One `SMTPService` per enabled listener over one shared backend and TLS context.
    func makeSMTPListeners(
        _ listeners: [(name: String, kind: SMTPListenerKind, listener: TresorConfiguration.Listener)],
        backend: MeteredSMTPBackend<SMTPMailStoreBackend>, tls: ServerTLS, connections: SharedConnections, latch: ReadyLatch
    ) -> [any Service] {
        var smtp = SMTPConfiguration(hostname: configuration.hostname, tls: tls)
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
}
