import Logging
import MailStore
import ServerKit
import ServiceLifecycle

extension MailServer {
    /// Every enabled listener of every protocol — SMTP (`makeSMTPListeners`), POP3, ManageSieve and
    /// IMAP — over one TLS context and one AUTH throttle. `onReady` is called once all of them are
    /// bound.
    func makeListeners(store: MailStore, onReady: @escaping @Sendable (BoundPorts) -> Void) throws -> [any Service] {
        let tls = try TLSMaterial.load(configuration.tls, hostname: configuration.hostname,
                                       dataDirectory: dataDirectory, logger: logger)
        let backend = MailStoreBackend(store: store, failureDelay: configuration.auth.failureDelay, logger: logger)
        let smtp = smtpListeners()
        let pop3 = pop3Listeners()
        let imap = imapListeners()
        let latch = ReadyLatch(expected: Set(smtp.map(\.name) + pop3.map(\.name) + manageSieveListenerNames()
                                             + imap.map(\.name)),
                               onReady: onReady)
        return makeSMTPListeners(smtp, backend: backend, tls: tls, latch: latch)
            + makePOP3Listeners(pop3, store: store, tls: tls, throttle: backend.throttle, latch: latch)
            + makeManageSieveListeners(store: store, tls: tls, throttle: backend.throttle, latch: latch)
            + (try makeIMAPListeners(imap, store: store, tls: tls, throttle: backend.throttle, latch: latch))
    }
}
