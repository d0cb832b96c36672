import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why the outbound queue could not be read or changed.
public enum QueueError: Error, Sendable, Hashable, CustomStringConvertible {
    case storage(StorageFailure)

    public var description: String {
        switch self {
        case .storage(let failure): failure.description
        }
    }
}

extension QueueError: StoreFailure {}

/// The outbound queue: one row per remote recipient of a delivery (queued by the delivery's
/// catalog transaction), claimed by the delivery workers, retried, bounced; listed, retried and
/// deleted by `tresor queue`. The row is the truth: a row becomes `delivered` only after the
/// remote 250, and rows a dead process left `sending` are queued again at start. Administrative
/// changes (retry, delete) are audited with who made them.
public struct OutboundQueue: StoreService {
    typealias Failure = QueueError
    let store: MailStore

    /// How many rows are in each state (`queued`, `sending`, `delivered`, `failed`), for metrics.
    public func countsByStatus() async throws(QueueError) -> [String: Int] {
        try await catching { try await catalog.queue.countsByStatus() }
    }

    /// Rows due for an attempt at `now`, oldest first.
    public func due(at now: Date, limit: Int) async throws(QueueError) -> [QueuedMessage] {
        try await catching { try await catalog.queue.dueOutbound(now: now, limit: limit) }
    }

    /// Moves rows from `queued` to `sending`; only those still queued are returned (another
    /// worker may have taken the rest).
    public func claim(ids: [Int64], at now: Date) async throws(QueueError) -> [QueuedMessage] {
        try await catching { try await catalog.queue.claimOutbound(ids: ids, now: now) }
    }

    /// Puts claimed rows back to `queued` (all of them when `ids` is nil: at start, after a crash).
    @discardableResult
    public func releaseClaims(ids: [Int64]? = nil) async throws(QueueError) -> Int {
        try await catching { try await catalog.queue.releaseOutboundClaims(ids: ids) }
    }

    /// Records the outcome of attempts, committed right after each SMTP transaction.
    public func record(_ results: [(id: Int64, result: OutboundAttemptResult)], at now: Date) async throws(QueueError) {
        try await catching { try await catalog.queue.recordOutboundAttempts(results, now: now) }
    }

    /// Failed rows that owe their sender a DSN.
    public func pendingBounces() async throws(QueueError) -> [QueuedMessage] {
        try await catching { try await catalog.queue.pendingBounces() }
    }

    public func markBouncesSent(ids: [Int64]) async throws(QueueError) {
        try await catching { try await catalog.queue.markBouncesSent(ids: ids) }
    }

    /// Every row, oldest first.
    public func list() async throws(QueueError) -> [QueuedMessage] {
        try await catching { try await catalog.queue.outboundQueue() }
    }

    public func entry(id: Int64) async throws(QueueError) -> QueuedMessage? {
        try await catching { try await catalog.queue.outboundQueueEntry(id: id) }
    }

    /// Makes waiting rows due now (all when `ids` is nil); returns how many.
    public func retry(ids: [Int64]?, by actor: AuditActor) async throws(QueueError) -> Int {
        try await catching {
            let changed = try await catalog.queue.retryOutbound(ids: ids, now: clock.now())
            try await audit("queue retry", ids.map { $0.map(String.init).joined(separator: ",") } ?? "all",
                            count: changed, by: actor)
            return changed
        }
    }

    /// Removes a row that is not being sent; with `bounce`, its sender gets a DSN.
    public func delete(id: Int64, bounce: Bool, by actor: AuditActor) async throws(QueueError) -> QueuedMessage? {
        try await catching {
            let row = try await catalog.queue.deleteOutbound(id: id, bounce: bounce, now: clock.now())
            if row != nil { try await audit("queue delete", "\(id)" + (bounce ? " with bounce" : ""), by: actor) }
            return row
        }
    }

}
