import Catalog
import MailMessage
import QueryLanguage
import StoreModel
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The retention floors a message gets when it arrives: for every locked policy whose `match`
/// selects it, the end of that policy's period from the message's received time, stamped into its
/// envelope record (so in the same group commit as the message, and restored by `reindex`). The
/// archive's writer refuses to purge a message before the latest floor among its envelopes,
/// whatever the policy files, the catalog or `--as-of` say later.
///
/// Locked policies are compiled once per `lock_generation` of the catalog (bumped by every change
/// of `retention_lock`), read together with a delivery's recipients; with none, a delivery pays
/// one comparison.
final class RetentionFloorStamper: Sendable {
    struct LockedPolicy: Sendable {
        var record: RetentionLockRecord
        var query: SearchQuery?
        var period: RetentionPeriod
        var countFrom: CountFrom
        var hash: String
    }

    private struct Snapshot {
        var generation: Int64
        var policies: [LockedPolicy]
    }

    private let snapshot = Mutex<Snapshot?>(nil)
    private let matcher: Result<PolicyMatcher, any Error> = Result { try PolicyMatcher() }

    /// The compiled locked policies of `generation`, loading them when this generation is new.
    /// A stored lock whose match, period or start no longer parses is compiled as the strictest
    /// reading (every message, from the received time) rather than dropped.
    func policies(generation: Int64, catalog: Catalog) async throws -> [LockedPolicy] {
        if let cached = snapshot.withLock({ $0?.generation == generation ? $0?.policies : nil }) { return cached }
        let records = try await catalog.governance.retentionLocks()
        let compiled = records.map { record in
            let match = record.match.trimmingCharacters(in: .whitespaces)
            let query: SearchQuery? = match == "*" ? nil : (try? SearchQuery(parsing: match))
            return LockedPolicy(
                record: record, query: query,
                period: RetentionPeriod(parsing: record.retain) ?? RetentionPeriod(amount: 1000, unit: .years),
                countFrom: CountFrom(rawValue: record.countFrom) ?? .received, hash: record.policyHash)
        }
        snapshot.withLock { $0 = Snapshot(generation: generation, policies: compiled) }
        return compiled
    }

    /// The floors of one message (empty without locked policies). `sha256` and `size` describe the
    /// raw message; matching runs through `BlockingWork.cpu`.
    func floors(for message: Message, envelope: Envelope, sha256: String, policies: [LockedPolicy]) async throws
        -> [RetentionFloor]
    {
        guard !policies.isEmpty else { return [] }
        let matcher = try matcher.get()
        let placeholder = RecordLocation(segment: 0, offset: 0)
        let item = IndexItem(message: message, receipt: AppendReceipt(
            sha256: sha256, body: placeholder, envelope: placeholder, deduplicated: false, size: message.raw.count),
            envelope: envelope)
        let queries = policies.map(\.query)
        let matched = try await BlockingWork.cpu.run { try matcher.matches(queries, item: item) }
        let candidate = RetentionCandidate(sha256: sha256, date: message.date, archivedAt: envelope.archiveTime,
                                           receivedAt: envelope.receivedAt)
        return zip(policies, matched).compactMap { policy, matches in
            guard matches else { return nil }
            return RetentionFloor(policy: policy.record.policy, policyHash: policy.hash,
                                  until: policy.period.end(from: policy.countFrom.start(of: candidate)))
        }
    }
}
