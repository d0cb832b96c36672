import Catalog
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The storage side of retention: what policies match (ids and dates, never content), the state
/// of the archive a plan was made against, locked policies and purge plans. The Retention module
/// evaluates the policies; purging is `purge(_:reason:by:)`.
extension ComplianceService {
    /// Every message `query` matches (all messages when nil) with the dates retention counts from.
    public func retentionCandidates(matching query: SearchQuery?) async throws(ComplianceError)
        -> [RetentionCandidate]
    {
        try await catching { try await catalog.messages.retentionCandidates(matching: query) }
    }

    /// The retention floors locked policies stamped at arrival, per policy version.
    public func retentionFloors() async throws(ComplianceError) -> [RetentionFloorSummary] {
        try await catching { try await catalog.messages.retentionFloorSummary() }
    }

    /// How many messages `query` matches (all when nil).
    public func retentionCount(matching query: SearchQuery?) async throws(ComplianceError) -> Int {
        try await catching { try await catalog.messages.retentionCount(matching: query) }
    }

    /// A digest of the messages and deliveries in the catalog: a plan made against one state is
    /// not executed against another.
    public func archiveState() async throws(ComplianceError) -> String {
        try await catching { try await catalog.messages.retentionArchiveState() }
    }

    /// The strictest version seen of each locked policy.
    public func retentionLocks() async throws(ComplianceError) -> [RetentionLockRecord] {
        try await catching { try await catalog.governance.retentionLocks() }
    }

    /// Remembers `record` (new or stricter locked policies) and forgets the locks in `forget`: a
    /// governance record each, signed by `signer`. The server may record (that keeps more) but not
    /// forget: without an operator, forgetting is left for later. Audited when anything changes.
    public func updateRetentionLocks(record: [RetentionLockRecord], forget: [String], by signer: GovernanceSigner)
        async throws(ComplianceError)
    {
        try await catching {
            let forget = signer.isSystem ? [] : forget
            guard !record.isEmpty || !forget.isEmpty else { return }
            var locations: [RecordLocation] = []
            for lock in record {
                locations.append(try await journalGovernance(.lockRecorded(LockedPolicyVersion(lock)), by: signer).location)
            }
            for policy in forget {
                locations.append(try await journalGovernance(.lockForgotten(policy: policy), by: signer).location)
            }
            try await catalog.governance.updateRetentionLocks(record: record, forget: forget)
            try await audit("retention lock", "recorded=\(record.map(\.policy).joined(separator: ",")) "
                                + "forgotten=\(forget.joined(separator: ",")) records=\(locations.map(\.description).joined(separator: ","))",
                            by: signer.actor)
        }
    }

    /// Stores a new purge plan: a governance record signed by its maker, then the catalog. Audited.
    public func savePlan(_ plan: PurgePlanRecord, by signer: GovernanceSigner) async throws(ComplianceError) {
        try await catching {
            var plan = plan
            plan.createdBy = signer.foldName
            let (record, location) = try await journalGovernance(.planMade(PlanVersion(plan)), by: signer)
            plan.createdAt = record.at
            try await catalog.governance.savePurgePlan(plan)
            try await audit("retention plan", "plan \(plan.id) as-of=\(Timestamp.string(plan.asOf)) "
                                + "state=\(plan.archiveState) record \(location)", count: plan.items.count, by: signer.actor)
        }
    }

    /// A plan with its items.
    public func plan(id: String) async throws(ComplianceError) -> PurgePlanRecord? {
        try await catching { try await catalog.governance.purgePlan(id: id) }
    }

    /// All plans, oldest first, without their items.
    public func plans() async throws(ComplianceError) -> [PurgePlanRecord] {
        try await catching { try await catalog.governance.purgePlans() }
    }

    /// Decides a pending plan (executed: approved by a different operator's key, or expired): a
    /// governance record, then the catalog; `PurgePlanError.notPending` when another process decided
    /// it first. Audited.
    public func decidePlan(id: String, status: PurgePlanRecord.Status, outcome: String, by signer: GovernanceSigner)
        async throws(ComplianceError)
    {
        try await catching {
            guard let plan = try await catalog.governance.purgePlan(id: id) else { throw PurgePlanError.unknown(id) }
            guard plan.status == .pending else { throw PurgePlanError.notPending(id, plan.status) }
            let (record, location) = try await journalGovernance(.planDecided(id: id, status: status, outcome: outcome),
                                                                 by: signer)
            try await catalog.governance.decidePurgePlan(id: id, status: status, by: signer.foldName, at: record.at,
                                                         outcome: outcome)
            try await audit("retention plan \(status.rawValue)", "plan \(id): \(outcome); record \(location)",
                            by: signer.actor)
        }
    }

    /// What executing a plan did, in words.
    public func recordPlanOutcome(id: String, outcome: String) async throws(ComplianceError) {
        try await catching { try await catalog.governance.recordPurgePlanOutcome(id: id, outcome: outcome) }
    }
}
