import ArchiveStore
import Catalog
import MailMessage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

extension DeliveryPipeline {
    /// Rebuilds the catalog from the archive alone: drops its derived data (the audit log
    /// stays, and gets back any audit event of the archive it lacks), rebuilds the governance tables (operators, holds, locks, plans, protection) from the
    /// archive's governance records, then reads every envelope record in archive order (not those a purge removed), inflates and parses its
    /// body and indexes the delivery, in batches. Returns the number of deliveries indexed.
    public func reindex(batchSize: Int = 512, progress: (Int) -> Void = { _ in }) async throws(DeliveryError) -> Int {
        try await catching { try await rebuildIndex(batchSize: batchSize, progress: progress) }
    }

    private func rebuildIndex(batchSize: Int, progress: (Int) -> Void) async throws -> Int {
        try await catalog.reset()
        var envelopes: [ArchiveRecord] = []
        var purged: Set<RecordLocation> = []
        var governance = GovernanceState(systemKeys: try await store.compliance.systemKeys())
        var auditEvents: [(location: RecordLocation, entry: AuditEntry)] = []
        try archive.forEachRecord { record in
            if record.kind == .envelope { envelopes.append(record) }
            if record.kind == .event, record.eventKind == .audit, let payload = record.eventPayload,
                let entry = ComplianceService.decodeAuditPayload(payload)
            {
                auditEvents.append((record.location, entry))
            }
            purged.formUnion(ComplianceService.purgedLocations(in: record))
            if let signed = ComplianceService.governanceRecord(in: record) { governance.apply(signed, at: record.location) }
        }
        // Operators, holds, locks, plans and protection are what the archive's governance records
        // say, whatever the catalog held.
        try await catalog.governance.rebuildGovernance(from: governance)
        if let change = governance.protectionChange, let location = governance.protectionRecord {
            try await catalog.governance.setProtection(change, record: location)
        }
        // The audit log is kept, not rebuilt; events of the archive missing from it are listed again.
        _ = try await listJournaledAudit(auditEvents)
        // A purge whose compaction has not run yet: its records are still there, but gone.
        if !purged.isEmpty { envelopes.removeAll { purged.contains($0.location) } }
        var done = 0
        var start = 0
        let archive = self.archive
        while start < envelopes.count {
            let batch = Array(envelopes[start..<min(envelopes.count, start + batchSize)])
            start += batch.count
            let items = try await ParallelChunks.mapThrowing(batch) { record throws -> IndexItem in
                guard let envelope = record.envelope, let sha256 = record.sha256, let body = record.bodyLocation else {
                    throw ArchiveError.corrupted(file: "segment \(record.location.segment)", offset: record.location.offset,
                                                 reason: "envelope record without its body reference")
                }
                let raw = try archive.readBody(at: body)
                let receipt = AppendReceipt(sha256: sha256, body: body, envelope: record.location,
                                            deduplicated: false, size: raw.count)
                return IndexItem(message: Message(parsing: raw), receipt: receipt, envelope: envelope)
            }
            try await catalog.messages.index(items)
            done += items.count
            progress(done)
        }
        return done
    }
}
