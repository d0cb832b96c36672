import ArchiveStore
import Catalog
import MailMessage
import StoreModel

/// What `recover()` found and completed.
public struct RecoveryReport: Sendable, Hashable {
    public init(examined: Int = 0, indexed: Int = 0, routed: Int = 0) {
        self.examined = examined
        self.indexed = indexed
        self.routed = routed
    }

    /// Envelope records after the previous checkpoint that were looked at.
    public var examined = 0
    /// Deliveries that were journaled but not indexed, now indexed.
    public var indexed = 0
    /// Audit events that were journaled but not listed in the catalog's audit log, now listed.
    public var auditListed = 0
    /// Differences between the catalog's governance tables and the archive's governance records
    /// mended (a crash came between journaling a governance action and caching it).
    public var governanceMended = 0
    /// SMTP deliveries that were journaled but not routed, now placed and queued.
    public var routed = 0
}

extension DeliveryPipeline {
    /// Startup catch-up; the server calls it before it accepts mail. The archive is fsync'd before
    /// anything reaches the catalog, but SQLite (WAL) may lose its last transactions on a power
    /// loss, and a crash can fall between the two. So: every envelope record after the recovery
    /// checkpoint whose delivery is not indexed is indexed, and every one from a routed source
    /// (`MessageSource.isRouted`) that is not routed is filed (through the recipients' Sieve scripts, as
    /// `deliver` does) and queued — in the same transaction, keyed
    /// by its envelope location, so running this twice (or beside a live delivery) never places a
    /// message twice. An IMAP APPEND (source "imap") that is journaled but not placed — the client
    /// got `OK [APPENDUID …]` — is placed into its mailbox (without its flags, which only the lost
    /// transaction knew). A user's copy with Sieve-edited header fields (source `editheader`) is
    /// only indexed: it is never filtered or placed again — routing its original again journals a
    /// new copy, and the one left over stays in the archive, searchable. Then the checkpoint moves to the last envelope record seen. Envelopes a purge
    /// record names are skipped, and purges a crash interrupted are finished (`finishPendingPurges`).
    ///
    /// Recipients are expanded with today's users and aliases (the envelope keeps the RCPT TO
    /// addresses, not their expansion at the time).
    @discardableResult
    public func recover(batchSize: Int = 256) async throws(DeliveryError) -> RecoveryReport {
        try await catching { try await recoverJournaled(batchSize: batchSize) }
    }

    private func recoverJournaled(batchSize: Int) async throws -> RecoveryReport {
        let checkpoint = try await catalog.messages.recoveryCheckpoint()
        var candidates: [ArchiveRecord] = []
        var last: RecordLocation?
        // A purge record always follows the records it names, so one after the checkpoint names
        // every purged envelope after it: those are never indexed again.
        var purged: Set<RecordLocation> = []
        var auditEvents: [(location: RecordLocation, entry: AuditEntry)] = []
        var governanceJournaled = false
        try archive.forEachRecord(after: checkpoint) { record in
            purged.formUnion(ComplianceService.purgedLocations(in: record))
            if record.kind == .event, record.eventKind == .audit, let payload = record.eventPayload,
                let entry = ComplianceService.decodeAuditPayload(payload)
            {
                auditEvents.append((record.location, entry))
            }
            if ComplianceService.governanceRecord(in: record) != nil {
                governanceJournaled = true
                last = record.location
            }
            guard record.kind == .envelope else { return }
            last = record.location
            candidates.append(record)
        }
        if !purged.isEmpty { candidates.removeAll { purged.contains($0.location) } }
        var report = RecoveryReport()
        var batch: [(delivery: RoutedDelivery, message: Message, sieved: SievedRoute?)] = []
        for record in candidates {
            report.examined += 1
            guard let envelope = record.envelope, let sha256 = record.sha256, let body = record.bodyLocation else {
                throw ArchiveError.corrupted(file: "segment \(record.location.segment)", offset: record.location.offset,
                                             reason: "envelope record without its body reference")
            }
            let state = try await catalog.messages.deliveryState(at: record.location)
            let routes = envelope.source.isRouted
            let append = envelope.source == .imap ? envelope.imapMailbox : nil
            guard !state.indexed || ((routes || append != nil) && !state.routed) else { continue }
            let archive = self.archive
            let raw = try await BlockingWork.io.run { try archive.readBody(at: body) }
            let receipt = AppendReceipt(sha256: sha256, body: body, envelope: record.location, deduplicated: false,
                                        size: raw.count)
            let message = Message(parsing: raw)
            let item = IndexItem(message: message, receipt: receipt, envelope: envelope)
            if let append, !state.routed {
                // An IMAP APPEND that was answered OK: place it as it was, once.
                if !state.indexed { report.indexed += 1 }
                if let user = envelope.recipients.first,
                    try await catalog.mailboxes.recoverAppend(item, internalDate: envelope.receivedAt, to: append, of: user)
                {
                    report.routed += 1
                }
                continue
            }
            var sieved: SievedRoute?
            var copies: [String: IndexItem] = [:]
            if routes && !state.routed {
                // The same Sieve step as `deliver`, with today's scripts; a header a script
                // edits gives a copy journaled anew (its body is stored once).
                let routing = try await store.accounts.route(for: envelope.recipients)
                let run = try await applySieve(routing, message: message, envelope: envelope, location: record.location)
                copies = try await journalEditedCopies(run.editedMessages, of: envelope, original: record.location,
                                                       lockGeneration: routing.lockGeneration)
                sieved = run
            }
            if !state.indexed { report.indexed += 1 }
            if sieved != nil { report.routed += 1 }
            batch.append((RoutedDelivery(item: item, route: sieved?.route, editedCopies: copies), message, sieved))
            if batch.count >= batchSize {
                try await completeRecovered(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await completeRecovered(batch) }
        report.auditListed = try await listJournaledAudit(auditEvents)
        // Before pending purges are finished: they check the cache against the archive.
        if governanceJournaled { report.governanceMended = try await store.compliance.cacheJournaledGovernance() }
        if let last { try await catalog.messages.setRecoveryCheckpoint(last) }
        try await store.compliance.finishPendingPurges()
        if report.indexed > 0 || report.routed > 0 || report.auditListed > 0 || report.governanceMended > 0 {
            logger.notice("recovery completed journaled deliveries", metadata: [
                "indexed": "\(report.indexed)", "routed": "\(report.routed)", "audit_listed": "\(report.auditListed)",
                "governance_mended": "\(report.governanceMended)",
            ])
        }
        return report
    }

    /// Lists the given audit events (those after the checkpoint; for `reindex`, all) that the
    /// catalog's audit log lacks (a crash came between the archive and the catalog, or someone
    /// deleted the rows): each with its record, unless a row listed
    /// without a record has the same content (a delivery's own entries). Returns how many it listed.
    func listJournaledAudit(_ events: [(location: RecordLocation, entry: AuditEntry)]) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let listed = try await catalog.governance.listedAuditRecords(events.map(\.location))
        let missing = events.filter { !listed.contains($0.location) }
        guard let earliest = missing.map(\.entry.time).min() else { return 0 }
        var unrecorded = try await catalog.governance.unrecordedAuditEntries(since: earliest.addingTimeInterval(-1))
        var relisted: [(entry: AuditEntry, record: RecordLocation?)] = []
        for event in missing {
            if let match = unrecorded.firstIndex(where: { ComplianceService.sameEntry($0, event.entry) }) {
                unrecorded.remove(at: match)
            } else {
                relisted.append((event.entry, event.location))
            }
        }
        try await catalog.governance.audit(relisted)
        return relisted.count
    }

    /// Journals a recovered batch's Sieve events, commits it in one transaction, then sends the
    /// rejection notices and vacation replies of the deliveries it routed.
    private func completeRecovered(
        _ batch: [(delivery: RoutedDelivery, message: Message, sieved: SievedRoute?)]
    ) async throws {
        try await store.compliance.journalToArchive(batch.flatMap { $0.delivery.route?.audit ?? [] })
        let results = try await catalog.messages.deliver(batch.map(\.delivery), at: clock.now())
        for (entry, result) in zip(batch, results) where entry.delivery.route != nil && !result.alreadyRouted {
            logFallbacks(result, location: entry.delivery.item.receipt.envelope)
            await store.mailboxes.publishPlacements(result.placements)
            if let sieved = entry.sieved, sieved.hasFollowUps {
                await performFollowUps(sieved, original: entry.message, envelope: entry.delivery.item.envelope)
            }
        }
    }
}
