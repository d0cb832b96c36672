import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ComplianceService {
    /// The procedure report of this data directory (`ProcedureReport`): one read of the archive for
    /// its governance, purge and key records, the governance fold, the anchors, the domains.
    /// Audited after it is built (the audit log is not part of the report).
    public func procedureReport(_ context: ProcedureContext, by actor: AuditActor) async throws(ComplianceError)
        -> ProcedureReport
    {
        try await catching {
            let archive = self.archive
            let keys = try await systemKeys()
            let walked = try await BlockingWork.io.run { () -> (GovernanceState, [(RecordLocation, GovernanceRecord)], [PurgeRecord], [Int]) in
                var state = GovernanceState(systemKeys: keys)
                var governance: [(RecordLocation, GovernanceRecord)] = []
                var purges: [PurgeRecord] = []
                var counts = [0, 0, 0]  // bodies, envelopes, events other than audit events
                try archive.forEachRecord { record in
                    switch record.kind {
                    case .body: counts[0] += 1
                    case .envelope: counts[1] += 1
                    case .event: if record.eventKind != .audit { counts[2] += 1 }
                    case .seal, .purged: break
                    }
                    if let signed = Self.governanceRecord(in: record) {
                        state.apply(signed, at: record.location)
                        governance.append((record.location, signed))
                    }
                    if record.kind == .event, record.eventKind == .purge, let payload = record.eventPayload,
                        let purge = PurgeRecord.decode(payload)
                    {
                        purges.append(purge)
                    }
                }
                return (state, governance, purges, counts)
            }
            let (state, governance, purges, counts) = walked
            let chain = try await store.sealKeyChain()
            let anchors = try await store.anchors.newestPerAuthority()
            let domains = try await catalog.accounts.domains()
            let report = ProcedureReportBuilder(
                context: context, state: state, governance: governance, purges: purges, recordCounts: counts,
                sealKeys: chain, anchors: anchors, domains: domains
            ).report()
            try await audit("report procedure", "\(report.sections.count) sections, \(governance.count) governance records",
                            by: actor)
            return report
        }
    }
}
