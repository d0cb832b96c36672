import Logging
import MailStore
import ServerKit
import ServiceLifecycle

extension MailServer {
    /// Every enabled listener of every protocol — SMTP (`makeSMTPListeners`), POP3, ManageSieve and
    /// IMAP — over one TLS context and one connection limiter (the store keeps the one login throttle), so that a client
    /// address's connections and the server's total count on all ports together. `onReady` is
    /// called once all of them are bound.
    func makeListeners(store: MailStore, tls: ServerTLS, onReady: @escaping @Sendable (BoundPorts) -> Void) throws
        -> [any Service]
    {
        let backend = SMTPMailStoreBackend(store: store, logger: logger)
        let smtp = smtpListeners()
        let pop3 = pop3Listeners()
        let imap = imapListeners()
        let latch = ReadyLatch(expected: Set(smtp.map(\.name) + pop3.map(\.name) + manageSieveListenerNames()
                                             + imap.map(\.name)),
                               onReady: onReady)
        let connections = sharedConnections()
        return makeSMTPListeners(smtp, backend: backend, tls: tls, connections: connections, latch: latch)
            + makePOP3Listeners(pop3, store: store, tls: tls, connections: connections,
                                latch: latch)
            + makeManageSieveListeners(store: store, tls: tls, connections: connections,
                                       latch: latch)
            + (try makeIMAPListeners(imap, store: store, tls: tls,
                                     connections: connections, latch: latch))
    }

    /// The `[limits]` every listener shares: one limiter (per client address and in total) and the
    /// command deadline on the event loops' clock.
    func sharedConnections() -> SharedConnections {
        let limits = configuration.limits
        return SharedConnections(
            limiter: ConnectionLimiter(limit: limits.connectionsPerIP, total: limits.connections),
            timing: ConnectionTiming(commandDeadline: CommandDeadline(
                grace: limits.commandDeadline, minimumBytesPerSecond: limits.minimumDataRate)))
    }
}

/// What all listeners of one server share about connections.
struct SharedConnections: Sendable {
    let limiter: ConnectionLimiter
    let timing: ConnectionTiming
}
