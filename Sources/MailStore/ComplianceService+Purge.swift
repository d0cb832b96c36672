import ArchiveStore
import Catalog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// What one purge removed.
public struct PurgeReport: Sendable, Hashable, Codable {
    /// Distinct messages (SHA-256s) whose records left the archive.
    public var messages = 0
    /// Envelope records (deliveries) that left the archive.
    public var deliveries = 0
    /// Mailbox placements removed (`.archiveAndMailboxes` only).
    public var placementsRemoved = 0
    /// Bytes the archive's segment files shrank by.
    public var bytesReclaimed: Int64 = 0
    /// Bytes the removed records took in the archive (compressed bodies and envelopes): what a
    /// purge can reclaim at most.
    public var bytesPurged: Int64 = 0
    /// Messages asked for that a retention floor stamped at their arrival still protects.
    public var protected: [PurgeRecord.Protected] = []
    public var segmentsRewritten = 0
    /// `"segment:offset"` of the journaled purge record.
    public var purgeRecord: String?
    /// The purge's id (in its archive record and its catalog row).
    public var id: String?
    public init() {}
}

public enum PurgeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An `.archiveOnly` message is placed in a mailbox, but its bytes cannot be read to keep them.
    case keptCopyUnavailable(sha256: String)
    /// Placements of `.archiveOnly` messages kept appearing while their copies were made.
    case placementsKeepChanging
    /// The clock reads earlier than the newest archived record: it was set back.
    case clockBehind(clock: Date, newestRecord: Date)

    public var description: String {
        switch self {
        case .keptCopyUnavailable(let sha256): "message \(sha256) is placed in a mailbox but its bytes cannot be read"
        case .placementsKeepChanging: "mailbox placements of the messages kept changing; run the purge again"
        case .clockBehind(let clock, let newest):
            "the clock reads \(Timestamp.string(clock)), earlier than the newest archived record "
                + "(\(Timestamp.string(newest))): no purge while the clock is behind"
        }
    }
}

/// Purging: the archive side of retention. How a purge travels, each step durable before
/// the next, so that a `kill -9` at any moment leaves a state the next purge or `recover()` finishes:
///
/// 1. the catalog's `purge` row (phase `journaling`): who, why, which messages;
/// 2. the purge record, journaled in the archive under its lock: the writer finds every body record
///    of the messages and every envelope naming one, lists them (location, kind, record hash,
///    content hash, length) and appends the record — the intent, in the hash chain; the bodies
///    leave the dedup index (a later delivery of the same bytes is stored anew); an active segment
///    holding any of them is sealed;
/// 3. `.archiveOnly`: placements naming an archive body are re-pointed to kept copies in the draft
///    store (in batches); then ONE catalog transaction removes the deliveries, messages (with
///    addresses and full text), `.archiveAndMailboxes` placements (MODSEQ and tombstones), queue
///    rows and `routed` marks, and moves the row to `journaled`; IDLE sessions are told;
/// 4. each segment holding removed records is compacted (a new sealed file renamed over the old);
/// 5. the row moves to `done` with the bytes reclaimed.
///
/// A crash after 1 but before 2 leaves a row whose record does not exist: it is dropped. After 2,
/// everything is driven from the purge record. `reindex` and `recover()` never index an envelope
/// a purge record names, whether or not it is compacted yet.
extension ComplianceService {
    /// Purges the messages from the catalog, mailboxes (where the scope says) and archive. The
    /// caller has checked holds and policies. A message named twice is purged once; if any of its
    /// items says `.archiveAndMailboxes`, that scope wins. First finishes purges a crash interrupted.
    /// While the data directory requires approval, only the messages of `plan` are purged, and only
    /// once a different person has approved it (`ProtectionError.approvalRequired` otherwise).
    ///
    /// Before anything is removed, the governance state the purge relies on is folded from the
    /// archive and compared with the catalog (a difference stops it, named); then the purge must be
    /// authorised in the chain: by `plan`, approved with a key other than its maker's, or — where
    /// no approval is required — by a purge order `signer` journals now.
    public func purge(_ items: [PurgeItem], reason: String, plan: String? = nil, by signer: GovernanceSigner)
        async throws(ComplianceError) -> PurgeReport
    {
        try await catching { try await purgeMessages(items, reason: reason, plan: plan, by: signer) }
    }

    private func purgeMessages(_ items: [PurgeItem], reason: String, plan: String?, by signer: GovernanceSigner)
        async throws -> PurgeReport
    {
        let actor = signer.actor
        try await finishPendingPurges()
        let entries = Self.purgeEntries(items)
        guard !entries.isEmpty else { return PurgeReport() }
        let chain = try await requireGovernanceMatchesArchive(by: actor)
        try await authorise(entries, plan: plan, reason: reason, chain: chain, by: signer)
        let id = UUID().uuidString.lowercased()
        let fromSegment = try archive.segmentNumbers().last ?? 1
        try await catalog.governance.beginPurge(id: id, items: entries, actor: actor.description, reason: reason,
                                                fromSegment: fromSegment, at: clock.now())
        let request = PurgeRecord(id: id, time: clock.now(), actor: actor.description, reason: reason, messages: entries)
        let journaled = try await journalPurge(request, id: id)
        var report = try await completePurge(id: id, items: journaled.record.messages, location: journaled.location,
                                             record: journaled.record)
        report.protected = journaled.record.protected ?? []
        try await journal([AuditEntry(
            time: clock.now(), actor: actor, action: "purge",
            detail: "purge \(id) record \(journaled.location): \(report.messages) messages, \(report.deliveries) deliveries, "
                + "\(report.placementsRemoved) placements, \(report.bytesReclaimed) bytes reclaimed; \(reason)",
            resultCount: report.messages)])
        return report
    }

    /// Four eyes, checked here where every purge passes, on the state folded from the archive: with
    /// approval required, every message must be an item of a plan approved with a key other than
    /// its maker's; otherwise the signer orders the purge in a governance record of its own.
    private func authorise(_ entries: [PurgeItem], plan id: String?, reason: String, chain: GovernanceState,
                           by signer: GovernanceSigner) async throws {
        if let id, let plan = chain.plans[id], plan.status == .executed, let approver = plan.decidedBy,
            approver != plan.madeBy,
            Set(entries.map(\.sha256)).isSubset(of: Set(plan.version.items.map { $0.sha256.lowercased() }))
        {
            return
        }
        guard !chain.protection.requireApproval else {
            try await audit("purge refused", "require_approval is on and \(id.map { "plan \($0) is not approved for it" } ?? "no plan was given"): "
                                + "\(entries.count) message(s)", count: entries.count, by: signer.actor)
            throw ProtectionError.approvalRequired
        }
        let order = UUID().uuidString.lowercased()
        _ = try await journalGovernance(.purgeOrdered(id: order, messages: entries.map(\.sha256), reason: reason),
                                        by: signer)
    }

    /// Step 2, with a clock set back (`ArchiveError.clockBehind`) turned into the purge's own error
    /// after the catalog's row is dropped (nothing happened).
    private func journalPurge(_ request: PurgeRecord, id: String) async throws -> (location: RecordLocation, record: PurgeRecord) {
        let outcome: Result<(location: RecordLocation, record: PurgeRecord), ArchiveError>
        do {
            outcome = .success(try await archive.journalPurge(request))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let journaled):
            return journaled
        case .failure(.clockBehind(let clock, let newest)):
            try await catalog.governance.abandonPurge(id: id)
            throw PurgeError.clockBehind(clock: clock, newestRecord: newest)
        case .failure(let error):
            throw error
        }
    }

    /// Completes every purge a crash interrupted (see the steps above); returns their reports.
    /// A purge whose record is not in the archive is dropped once it is older than
    /// `abandonAfter` seconds: a younger one may be another process's purge between its steps
    /// 1 and 2 (its writer may be scanning the archive for minutes on a large one).
    @discardableResult
    public func finishPendingPurges(abandonAfter: TimeInterval = 600) async throws(ComplianceError) -> [PurgeReport] {
        try await catching { try await finishPurges(abandonAfter: abandonAfter) }
    }

    private func finishPurges(abandonAfter: TimeInterval) async throws -> [PurgeReport] {
        var reports: [PurgeReport] = []
        for pending in try await catalog.governance.unfinishedPurges() {
            let location: RecordLocation
            let record: PurgeRecord
            let archive = self.archive
            if let known = pending.record {
                location = known
                record = try await BlockingWork.io.run { try archive.purgeRecord(at: known) }
            } else if let found = try await BlockingWork.io.run({
                try archive.purgeRecords(fromSegment: pending.fromSegment).first(where: { $0.record.id == pending.id })
            }) {
                (location, record) = found
            } else if clock.now().timeIntervalSince(pending.created) < abandonAfter {
                continue
            } else {
                logger.notice("dropping a purge that was never journaled", metadata: ["purge": "\(pending.id)"])
                try await catalog.governance.abandonPurge(id: pending.id)
                continue
            }
            logger.notice("finishing an interrupted purge", metadata: ["purge": "\(pending.id)", "record": "\(location)"])
            var report = try await completePurge(id: pending.id, items: record.messages, location: location, record: record)
            report.protected = record.protected ?? []
            if pending.phase == .journaled { report.placementsRemoved = pending.placements }
            reports.append(report)
        }
        return reports
    }

    /// Steps 3 to 5 for a journaled purge record; each is safe to repeat.
    private func completePurge(id: String, items: [PurgeItem], location: RecordLocation, record: PurgeRecord)
        async throws -> PurgeReport
    {
        var report = PurgeReport()
        report.id = id
        report.purgeRecord = location.description
        report.messages = Set(record.removed.map(\.sha256)).count
        report.deliveries = record.removed.filter { $0.kind == ArchiveRecordKind.envelope.rawValue }.count
        report.bytesPurged = record.removed.reduce(0) { $0 + Int64($1.length) }

        let application = try await applyPurgeToCatalog(id: id, items: items, location: location, record: record)
        report.placementsRemoved = application.placementsRemoved
        for sha256 in Set(items.map(\.sha256)) { store.byteCache.remove(key: sha256) }
        await store.mailboxChanges.publish(application.expungedMailboxes.map {
            MailboxChange(user: $0.user, mailbox: $0.mailbox, kind: .messagesExpunged)
        })

        for result in try await archive.compact(after: record) where result.stubsWritten > 0 {
            report.segmentsRewritten += 1
            report.bytesReclaimed += result.bytesReclaimed
        }
        if try await !catalog.governance.scrubAfterPurge() {
            logger.notice("purge: the catalog's write-ahead log could not be truncated yet (a reader holds it)",
                          metadata: ["purge": "\(id)"])
        }
        try await catalog.governance.finishPurge(id: id, bytesReclaimed: report.bytesReclaimed,
                                      segmentsRewritten: report.segmentsRewritten, at: clock.now())
        return report
    }

    /// Step 3: kept copies for `.archiveOnly` placements, then the one transaction. Placements may
    /// appear meanwhile (a COPY), so the transaction checks and this repeats a few times.
    private func applyPurgeToCatalog(id: String, items: [PurgeItem], location: RecordLocation, record: PurgeRecord)
        async throws -> PurgeApplication
    {
        let removedEnvelopes = Set(record.removed.filter { $0.kind == ArchiveRecordKind.envelope.rawValue }.map(\.location))
        var purgedBodies: [String: RecordLocation] = [:]
        for removed in record.removed where removed.kind == ArchiveRecordKind.body.rawValue {
            purgedBodies[removed.sha256] = removed.location
        }
        var newBodies: [String: RecordLocation] = [:]
        for item in items {
            if let body = archive.bodyLocation(sha256: item.sha256), purgedBodies[item.sha256] != body {
                newBodies[item.sha256] = body
            }
        }
        var pending = try await catalog.governance.archivePlacedMessages(
            among: items.filter { $0.scope == .archiveOnly }.map(\.sha256))
        for _ in 0..<5 {
            try await keepMailboxCopies(of: pending, purgedBodies: purgedBodies)
            let application = try await catalog.governance.applyPurge(id: id, record: location, removed: removedEnvelopes,
                                                           items: items, newBodies: newBodies)
            if !application.needsFullTextRemoval.isEmpty {
                try await removeFullText(of: application.needsFullTextRemoval)
                pending = []
                continue
            }
            if application.needsKeptCopies.isEmpty { return application }
            pending = application.needsKeptCopies
        }
        throw PurgeError.placementsKeepChanging
    }

    /// Removes the full-text documents of messages leaving the catalog, 256 per transaction: the
    /// index is contentless, so each document is computed again from the message's archived bytes
    /// (still there: compaction comes later). A message that cannot be read back leaves a document
    /// that nothing could remove, so then every document goes and the index is rebuilt from the
    /// archive (`DeliveryPipeline.bringFullTextUpToDate`, at the next start or search).
    private func removeFullText(of bodies: [IndexedBody]) async throws {
        var start = 0
        while start < bodies.count {
            let chunk = Array(bodies[start..<min(bodies.count, start + 256)])
            start += chunk.count
            let read = try await DeliveryPipeline.readForFullText(chunk, archive: archive)
            guard read.unreadable.isEmpty else {
                logger.error("""
                    purge: a purged message could not be read back to remove it from the full-text index; \
                    the index is dropped and rebuilt from the archive
                    """,
                             metadata: ["sha256": "\(read.unreadable.joined(separator: ","))"])
                try await catalog.messages.discardFullText()
                return
            }
            try await catalog.messages.removeFullText(read.sources)
        }
    }

    /// Reads the bytes of `sha256s` (their body records are still there: compaction comes later)
    /// and re-points their archive placements to kept copies, 64 messages per transaction.
    private func keepMailboxCopies(of sha256s: [String], purgedBodies: [String: RecordLocation]) async throws {
        var start = 0
        while start < sha256s.count {
            let chunk = sha256s[start..<min(sha256s.count, start + 64)]
            start += chunk.count
            var bytes: [String: [UInt8]] = [:]
            for sha256 in chunk {
                let raw: [UInt8]?
                if let body = purgedBodies[sha256] {
                    let archive = self.archive
                    raw = try? await BlockingWork.io.run { try archive.readBody(at: body) }
                } else {
                    raw = try await store.reader.content(sha256: sha256)
                }
                guard let raw else { throw PurgeError.keptCopyUnavailable(sha256: sha256) }
                bytes[sha256] = raw
            }
            try await catalog.governance.keepMailboxCopies(bytes, at: clock.now())
        }
    }

    /// One entry per message, lower-case SHA-256; `.archiveAndMailboxes` wins over `.archiveOnly`.
    static func purgeEntries(_ items: [PurgeItem]) -> [PurgeItem] {
        var result: [String: PurgeItem] = [:]
        var order: [String] = []
        for item in items {
            let sha256 = item.sha256.lowercased()
            let entry = PurgeItem(sha256: sha256, policy: item.policy, scope: item.scope)
            if let known = result[sha256] {
                if item.scope == .archiveAndMailboxes && known.scope != .archiveAndMailboxes { result[sha256] = entry }
            } else {
                result[sha256] = entry
                order.append(sha256)
            }
        }
        return order.compactMap { result[$0] }
    }

    /// The archive locations every purge record names (for `reindex` and `recover()`, which must
    /// not bring back what a purge removed before its compaction ran).
    static func purgedLocations(in record: ArchiveRecord) -> [RecordLocation] {
        guard record.kind == .event, record.eventKind == .purge, let payload = record.eventPayload,
            let purge = PurgeRecord.decode(payload)
        else { return [] }
        return purge.removed.map(\.location)
    }
}
