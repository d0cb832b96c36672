import Logging
import MailStore
import ServerKit
import ServiceLifecycle
import SMTPServer

extension MailServer {
    /// The three SMTP listeners (MX, submission, submission over TLS), each an `SMTPService` over one shared backend
    /// and TLS context, then the POP3 listeners (`makePOP3Listeners`), ManageSieve
    /// (`makeManageSieveListeners`) and IMAP (`makeIMAPListeners`). Disabled listeners are left out.
    func makeListeners(store: MailStore, onReady: @escaping @Sendable (BoundPorts) -> Void) throws -> [any Service] {
        let tls = try TLSMaterial.load(configuration.tls, hostname: configuration.hostname,
                                       dataDirectory: dataDirectory, logger: logger)
        let backend = SMTPMailStoreBackend(store: store, logger: logger)
        let listeners: [(name: String, kind: SMTPListenerKind, listener: TresorConfiguration.Listener)] = [
            ("smtp", .mx, configuration.smtp),
            ("submission", .submission, configuration.submission),
            ("submissions", .submissionTLS, configuration.submissions),
        ].filter { $0.listener.enabled }
        let pop3 = pop3Listeners()
        let imap = imapListeners()
        let latch = ReadyLatch(expected: Set(listeners.map(\.name) + pop3.map(\.name) + manageSieveListenerNames()
                                             + imap.map(\.name)),
                               onReady: onReady)
        var smtp = SMTPConfiguration(hostname: configuration.hostname, tls: tls)
        smtp.limits.messageSize = configuration.limits.messageSize
        smtp.limits.recipients = configuration.limits.recipients
        smtp.limits.connectionsPerAddress = configuration.limits.connectionsPerIP
        smtp.allowPlaintextAuthOnLoopback = configuration.auth.allowPlaintextOnLoopback
        let smtpServices: [any Service] = listeners.map { entry in
            var log = logger
            log[metadataKey: "listener"] = "\(entry.name)"
            return SMTPService(kind: entry.kind, host: entry.listener.address, port: entry.listener.port,
                               configuration: smtp, backend: backend, logger: log,
                               onBound: { port in latch.bound(entry.name, port: port) })
        }
        return smtpServices + makePOP3Listeners(pop3, store: store, tls: tls, latch: latch)
            + makeManageSieveListeners(store: store, tls: tls, latch: latch)
            + (try makeIMAPListeners(imap, store: store, tls: tls, latch: latch))
    }
}
