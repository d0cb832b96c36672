import Delivery
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
        let screening = MessageScreening(spam: configuration.spam, antivirus: configuration.antivirus,
                                         hostname: configuration.hostname, logger: logger)
        let outgoingCheck = try configuration.dlp.loadRules().map {
            OutgoingMailCheck(rules: $0, hostname: configuration.hostname, logger: logger)
        }
        if let outgoingCheck {
            // Weak: the store keeps the check, which must not keep the store.
            store.redirectScreen.install { [weak store] message, envelope, location, sha256, address in
                guard let store else { return false }
                return await outgoingCheck.screenRedirect(message, envelope: envelope, location: location, sha256: sha256,
                                                   to: address, store: store)
            }
        }
        let backend = MeteredSMTPBackend(base: SMTPMailStoreBackend(
            store: store, logger: logger, primaryDomain: configuration.domains.first,
            screening: screening.isActive ? screening : nil,
            senderAuthentication: makeSenderAuthentication(), outgoingCheck: outgoingCheck), metrics: metrics)
        let smtp = smtpListeners()
        let pop3 = pop3Listeners()
        let imap = imapListeners()
        let latch = ReadyLatch(expected: Set(smtp.map(\.name) + pop3.map(\.name) + manageSieveListenerNames()
                                             + imap.map(\.name) + (configuration.metrics.enabled ? ["metrics"] : [])),
                               onReady: onReady)
        let connections = sharedConnections()
        return makeMetricsListener(store: store, connections: connections, latch: latch)
            + (try makeSMTPListeners(smtp, backend: backend, tls: tls, connections: connections, latch: latch))
            + makePOP3Listeners(pop3, store: store, tls: tls, connections: connections,
                                latch: latch)
            + makeManageSieveListeners(store: store, tls: tls, connections: connections,
                                       latch: latch)
            + (try makeIMAPListeners(imap, store: store, tls: tls,
                                     connections: connections, latch: latch))
    }

    /// The `[limits]` every listener shares: one limiter (per client address and in total), the
    /// command deadline and the write timeout on the event loops' clock.
    func sharedConnections() -> SharedConnections {
        let limits = configuration.limits
        return SharedConnections(
            limiter: ConnectionLimiter(limit: limits.connectionsPerIP, total: limits.connections,
                                       onAccept: { [metrics] listener, admission in
                                           metrics.connectionAccepted(listener: listener, admitted: admission == .admitted)
                                       }),
            timing: ConnectionTiming(commandDeadline: CommandDeadline(
                grace: limits.commandDeadline, minimumBytesPerSecond: limits.minimumDataRate),
                writeTimeout: limits.writeTimeout))
    }
}

/// What all listeners of one server share about connections.
struct SharedConnections: Sendable {
    let limiter: ConnectionLimiter
    let timing: ConnectionTiming
}

extension MailServer {
    /// The `[metrics]` endpoint when enabled (`MetricsService`), reporting its port as `metrics`.
    func makeMetricsListener(store: MailStore, connections: SharedConnections, latch: ReadyLatch) -> [any Service] {
        guard configuration.metrics.enabled else { return [] }
        var log = logger
        log[metadataKey: "listener"] = "metrics"
        return [MetricsService(host: configuration.metrics.address, port: configuration.metrics.port, metrics: metrics,
                               store: store, limiter: connections.limiter, logger: log,
                               onBound: { port in latch.bound("metrics", port: port) })]
    }
}

extension MailServer {
    /// `[auth_checks]` when enabled: the checks over the resolver outbound delivery uses too
    /// (`[delivery] dns_resolver`, else /etc/resolv.conf's nameservers) and Debian's Public Suffix
    /// List. Nil when off, or when there is no nameserver to ask (logged: every check would be a
    /// temperror).
    func makeSenderAuthentication() -> SenderAuthentication? {
        guard configuration.authChecks.enabled else { return nil }
        let servers = configuration.delivery.dnsResolver.map { [$0] } ?? DNSResolver.systemServers()
        guard !servers.isEmpty else {
            logger.error("auth_checks: no DNS server configured or in /etc/resolv.conf; checks are off")
            return nil
        }
        return SenderAuthentication(
            settings: configuration.authChecks, authservID: configuration.authChecks.authservID ?? configuration.hostname,
            dns: DNSResolver(servers: servers), suffixes: .system(), clock: ContinuousClock(), now: clock.now,
            logger: logger)
    }
}
