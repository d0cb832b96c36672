// MailServer: the composition root of `tresor serve`.
//
// Invariants:
// - One `ServiceGroup` runs everything. Services start in list order and stop in reverse:
//   the store first (so it closes last), the listeners last (so they stop accepting first).
// - The store is opened, and its catch-up recovery done, before any listener binds: no client
//   is answered by a store that has not finished recovering.
// - Graceful shutdown (SIGTERM, SIGINT, or `shutdown()`): listeners stop accepting, the
//   transactions in flight finish (each answered only after its delivery is durable), then
//   the archive is closed. A `kill -9` loses nothing that got 250 (DESIGN.md).
// - Nothing here blocks an event loop: the store is opened before the loops serve anyone,
//   and every delivery goes through MailStore's async API.
import Logging
import MailStore
import ServiceLifecycle
import Synchronization
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
    public func run(onReady: @escaping @Sendable (BoundPorts) -> Void = { _ in }) async throws {
        let store = try await openStore()
        var services: [any Service] = [StoreService(store: store, logger: logger)]
        services += try makeDeliveryServices(store: store)
        services += try makeRetentionServices(store: store)
        services += try makeAnchorServices(store: store)
        services += try makeListeners(store: store, onReady: onReady)
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        let stopAtOnce = state.withLock { state in
            state.group = group
            return state.shutdownRequested
        }
        if stopAtOnce { await group.triggerGracefulShutdown() }
        try await group.run()
    }

    /// Stops accepting, finishes the transactions in flight, closes the store; `run()` returns.
    public func shutdown() async {
        let group = state.withLock { state in
            state.shutdownRequested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Opens the data directory made by `tresor init`, runs the store's catch-up recovery and
    /// makes the configured domains local.
    private func openStore() async throws -> MailStore {
        let store = try MailStore(dataDirectory: dataDirectory, sealKeyPath: configuration.archive.sealKey?.path,
                                  clock: clock, authenticationFailureDelay: configuration.auth.failureDelay, sieveScan: configuration.sieve,
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
            logger.info("recovery done", metadata: ["report": "\(report)"])
            let known = Set(try await store.accounts.domains())
            for domain in configuration.domains where !known.contains(domain) {
                try await store.accounts.addDomain(domain, by: .system("configuration"))
                logger.notice("local domain added from the configuration", metadata: ["domain": "\(domain)"])
            }
        } catch {
            store.close()
            throw error
        }
        return store
    }
}
