import Catalog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Group commit for the catalog side of SMTP deliveries: while one transaction is being written,
/// the deliveries that arrive meanwhile wait and then share the next transaction. A lone delivery
/// is written at once (no timer); under load the batch grows by itself to whatever arrived during
/// the previous write, which is what SQLite's single writer can absorb. Mirrors the archive's group
/// commit, so concurrent deliveries cost one fsync there and one transaction here.
///
/// If a shared transaction fails, its deliveries are retried one by one, so that one bad delivery
/// fails alone and the others still commit.
actor CatalogCommitter {
    private let catalog: Catalog
    /// The time the placements and queue rows are stamped with.
    private let now: @Sendable () -> Date
    private var pending: [(delivery: RoutedDelivery, continuation: CheckedContinuation<RoutingResult, any Error>)] = []
    private var writing = false

    init(catalog: Catalog, now: @escaping @Sendable () -> Date) {
        self.catalog = catalog
        self.now = now
    }

    func commit(_ delivery: RoutedDelivery) async throws -> RoutingResult {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((delivery, continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            do {
                let results = try await catalog.messages.deliver(batch.map(\.delivery), at: now())
                for (entry, result) in zip(batch, results) { entry.continuation.resume(returning: result) }
            } catch {
                if batch.count == 1 {
                    batch[0].continuation.resume(throwing: error)
                    continue
                }
                for entry in batch {
                    do {
                        let results = try await catalog.messages.deliver([entry.delivery], at: now())
                        entry.continuation.resume(returning: results[0])
                    } catch {
                        entry.continuation.resume(throwing: error)
                    }
                }
            }
        }
        writing = false
    }
}
