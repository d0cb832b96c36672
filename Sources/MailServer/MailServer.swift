// MailServer: the composition root of `tresor serve`.
//
// Invariants:
// - One `ServiceGroup` runs everything. Services start in list order and stop in reverse:
//   the store first (so it closes last), the listeners last (so they stop accepting first).
// - One server per data directory: `DATA/serve.lock` is held (flock) from before the store opens
//   until `run()` returns (`ServeLock`).
// - The store is opened, and its catch-up recovery done, before any listener binds: no client
//   is answered by a store that has not finished recovering. Every start-up check (TLS material,
//   policy files and locks, protection settings) passes before the listeners start, so `onReady`
//   is never followed by a start-up refusal.
// - SIGHUP (`reload()`) swaps the TLS certificate for new handshakes, the retention policies and the
//   compiled Sieve scripts; a part that fails to reload keeps its old state.
// - Graceful shutdown (SIGTERM, SIGINT, or `shutdown()`): listeners stop accepting, the
//   transactions in flight finish (each answered only after its delivery is durable), then
//   the archive is closed. A `kill -9` loses nothing that got 250 (DESIGN.md).
// - Nothing here blocks an event loop: the store is opened before the loops serve anyone,
//   and every delivery goes through MailStore's async API.
import Logging
import MailStore
import ServerKit
import ServiceLifecycle
import Synchronization
import UnixSignals
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public final class MailServer: Sendable {
    public let configuration: TresorConfiguration
    public let dataDirectory: URL
    let logger: Logger
    private let handleSignals: Bool
    /// The time the store and the outbound workers read (received times, retries, vacation periods).
    let clock: WallClock
    private let state = Mutex(State())
    /// The counters `[metrics]` serves (moved whether or not the endpoint is enabled).
    let metrics = ServerMetrics()

    private struct State {
        var group: ServiceGroup?
        var shutdownRequested = false
        /// What `reload()` changes, once the server runs.
        var reloadable: Reloadable?
    }

    /// The running server's parts that SIGHUP reloads.
    struct Reloadable: Sendable {
        let store: MailStore
        let tls: ServerTLS
        let retention: RetentionService
    }

    /// `handleSignals`: install SIGTERM/SIGINT handlers (the CLI); tests call `shutdown()`.
    /// `clock`: the system's, except in tests that move time by hand.
    public init(configuration: TresorConfiguration, dataDirectory: URL, logger: Logger,
                handleSignals: Bool = true, clock: WallClock = .system) {
        self.clock = clock
        self.configuration = configuration
        self.dataDirectory = dataDirectory
        self.logger = logger
        self.handleSignals = handleSignals
    }

    /// Opens the store, binds the listeners and serves until shutdown. `onReady` is called
    /// once every enabled listener is bound, with the ports they got.
    /// A second server on the same data directory is refused (`ServeLock.Failure.held`) before
    /// anything is opened.
    public func run(onReady: @escaping @Sendable (BoundPorts) -> Void = { _ in }) async throws {
        let lock = try ServeLock(dataDirectory: dataDirectory)
        defer { lock.release() }
        // Trapped from here on, so a SIGHUP during recovery waits for the server instead of ending it.
        let hangups = handleSignals ? await UnixSignalsSequence(trapping: .sighup) : nil
        let store = try await openStore()
        var services: [any Service] = [StoreService(store: store, logger: logger)]
        do {
            let tls = try TLSMaterial.load(configuration.tls, hostname: configuration.hostname,
                                           dataDirectory: dataDirectory, logger: logger)
            services += try makeDeliveryServices(store: store)
            let retention = try await makeRetentionService(store: store)
            services.append(retention)
            services += try makeAnchorServices(store: store)
            services.append(makeAttachmentIndexService(store: store))
            if let hangups { services.append(ReloadSignalService(server: self, signals: hangups, logger: logger)) }
            services += try makeListeners(store: store, tls: tls, onReady: onReady)
            state.withLock { $0.reloadable = Reloadable(store: store, tls: tls, retention: retention) }
            // Only now, with every setting checked (policies, TSAs, TLS material, listeners), is the
            // catalog changed: a configuration that is refused leaves no trace in it.
            try await makeConfiguredDomainsLocal(store)
        } catch {
            store.close()
            throw error
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        let stopAtOnce = state.withLock { state in
            state.group = group
            return state.shutdownRequested
        }
        if stopAtOnce { await group.triggerGracefulShutdown() }
        defer { state.withLock { $0.reloadable = nil } }
        try await group.run()
    }

    func currentReloadable() -> Reloadable? {
        state.withLock { $0.reloadable }
    }

    /// Stops accepting, finishes the transactions in flight, closes the store; `run()` returns.
    public func shutdown() async {
        let group = state.withLock { state in
            state.shutdownRequested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Opens the data directory made by `tresor init` and runs the store's catch-up recovery.
    private func openStore() async throws -> MailStore {
        let store = try MailStore(dataDirectory: dataDirectory, sealKeyPath: configuration.archive.sealKey?.path,
                                  clock: clock, authenticationFailureDelay: configuration.auth.failureDelay,
                                  loginCacheLifetime: configuration.auth.loginCacheLifetime, sieveScan: configuration.sieve,
                                  logger: logger)
        do {
            if try await !store.compliance.fullTextIsCurrent() {
                logger.notice("full-text index: building every document anew from the archive (new index format)")
                let rebuild = try await store.delivery.bringFullTextUpToDate()
                logger.notice("full-text index: rebuilt", metadata: [
                    "messages": "\(rebuild.messages)", "unreadable": "\(rebuild.unreadable.count)",
                ])
            }
            let report = try await store.delivery.recover()
            logger.info("recovery done", metadata: [
                "examined": "\(report.examined)", "indexed": "\(report.indexed)",
                "audit_listed": "\(report.auditListed)", "routed": "\(report.routed)",
                "governance_mended": "\(report.governanceMended)",
            ])
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// Makes the configured domains local (idempotent), once the configuration has been accepted.
    /// The caller closes the store when this throws.
    private func makeConfiguredDomainsLocal(_ store: MailStore) async throws {
        let known = Set(try await store.accounts.domains())
        for domain in configuration.domains where !known.contains(domain) {
            try await store.accounts.addDomain(domain, by: .system("configuration"))
            logger.notice("local domain added from the configuration", metadata: ["domain": "\(domain)"])
        }
    }
}
