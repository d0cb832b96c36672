// Retention: policy files, their evaluation, legal holds, purge plans and their execution.
//
// Invariants:
// - Nothing is deleted that no policy expired: a message no policy matches is kept, and `keep`
//   never reaches `MailStore.purge`.
// - Longest retention wins: of the policies that match a message, the one whose period ends last
//   decides (`RetentionEvaluator`, pure and tested on plain values).
// - Nothing on hold is purged. Holds are queries, evaluated at every plan (so mail that arrived
//   after a hold was placed is covered) and once more right before `MailStore.purge` is called (so a
//   hold placed between planning and executing, or between a plan and its approval, wins). A hold
//   query that no longer parses stops every purge (fail closed).
// - A locked policy is never loosened or removed while it governs messages (`PolicyLocks`): a run
//   refuses to start on such files.
// - Four eyes: under `require_approval` a run only writes a plan; another actor approves it, and only
//   while the archive (messages and deliveries) and the policies are as they were when it was made.
// - Every run, plan, approval, refusal and purge is written to the audit log (archive event first,
//   then the catalog, by `MailStore.audit`).
import Catalog
import Logging
import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `apply` does with what is due.
public enum RetentionApplyMode: String, Sendable, Hashable {
    /// Evaluate and report only.
    case dryRun = "dry-run"
    /// Purge what is due now.
    case execute
    /// Write a purge plan for another person to approve (`require_approval`).
    case plan
}

/// What one `apply` did.
public struct RetentionApplyOutcome: Sendable {
    public var evaluation: RetentionEvaluation
    public var mode: RetentionApplyMode
    /// `.execute`: what the purge did (nil when nothing was due).
    public var execution: RetentionExecution?
    /// `.plan`: the plan written (nil when nothing was due).
    public var plan: PurgePlanRecord?
}

/// What executing a set of due messages did.
public struct RetentionExecution: Sendable, Hashable {
    /// Handed to `MailStore.purge`.
    public var purged: [DueMessage]
    /// Due when planned, but an active hold matched them right before the purge.
    public var spared: [DueMessage]
    /// Nil when nothing was left to purge.
    public var report: PurgeReport?
}

/// Runs retention on one store with one set of policies: evaluates, executes, plans and approves.
public struct RetentionRunner: Sendable {
    public let store: MailStore
    public let policies: PolicySet
    let logger: Logger

    public init(store: MailStore, policies: PolicySet, logger: Logger = Logger(label: "tresor.retention")) {
        self.store = store
        self.policies = policies
        self.logger = logger
    }

    /// Each active hold's messages, by hold name.
    public func heldMessages() async throws -> [String: Set<String>] {
        var held: [String: Set<String>] = [:]
        for hold in try await store.catalog.governance.activeLegalHolds() {
            held[hold.name] = Set(try await Self.messages(of: hold, in: store.catalog).map(\.sha256))
        }
        return held
    }

    /// The messages a hold's query matches now.
    public static func messages(of hold: LegalHold, in catalog: Catalog) async throws -> [RetentionCandidate] {
        let query: SearchQuery
        do { query = try SearchQuery(parsing: hold.query) } catch {
            throw RetentionError.invalidHoldQuery(hold: hold.name, problem: error.description)
        }
        return try await catalog.messages.retentionCandidates(matching: query)
    }

    /// Evaluates every policy once (ids and dates only) and the active holds, as of `asOf`.
    public func evaluate(asOf: Date) async throws -> RetentionEvaluation {
        var matches: [String: [RetentionCandidate]] = [:]
        for policy in policies.policies {
            matches[policy.name] = try await store.catalog.messages.retentionCandidates(matching: policy.query)
        }
        return RetentionEvaluator.evaluate(policies: policies.policies, matches: matches,
                                           holds: try await heldMessages(), asOf: asOf)
    }

    /// Evaluates as of `asOf` and then, by `mode`, reports, purges or writes a plan. Audited.
    public func apply(asOf: Date, mode: RetentionApplyMode, actor: String) async throws -> RetentionApplyOutcome {
        let evaluation = try await evaluate(asOf: asOf)
        var outcome = RetentionApplyOutcome(evaluation: evaluation, mode: mode)
        try await store.audit(
            actor: actor, action: "retention apply",
            detail: "mode=\(mode.rawValue) as-of=\(Self.timestamp(asOf)) due=\(evaluation.due.count) "
                + "held=\(evaluation.held.count) policies=\(policies.fingerprint)",
            resultCount: evaluation.due.count)
        switch mode {
        case .dryRun:
            break
        case .execute:
            guard !evaluation.due.isEmpty else { break }
            outcome.execution = try await execute(
                evaluation.due, actor: actor, reason: "retention apply as of \(Self.timestamp(asOf))")
        case .plan:
            guard !evaluation.due.isEmpty else { break }
            outcome.plan = try await writePlan(evaluation, actor: actor)
        }
        return outcome
    }

    /// Purges `due`, minus whatever an active hold matches at this moment. Audited.
    public func execute(_ due: [DueMessage], actor: String, reason: String) async throws -> RetentionExecution {
        let held = try await heldMessages()
        var holders: [String: [String]] = [:]
        for (hold, ids) in held { for id in ids { holders[id, default: []].append(hold) } }
        var purged: [DueMessage] = []
        var spared: [DueMessage] = []
        for var message in due {
            if let names = holders[message.sha256] {
                message.heldBy = names.sorted()
                spared.append(message)
            } else {
                purged.append(message)
            }
        }
        let items = purged.compactMap(\.purgeItem)
        guard !items.isEmpty else { return RetentionExecution(purged: [], spared: spared, report: nil) }
        logger.notice("retention purge", metadata: [
            "messages": "\(items.count)", "spared": "\(spared.count)", "actor": "\(actor)", "reason": "\(reason)",
        ])
        let report = try await store.purge(items, actor: actor, reason: reason)
        let byPolicy = Dictionary(grouping: purged, by: \.policy).map { "\($0.key)=\($0.value.count)" }.sorted()
        try await store.audit(
            actor: actor, action: "retention purge",
            detail: "\(reason); policies \(byPolicy.joined(separator: " ")); deliveries=\(report.deliveries) "
                + "placements=\(report.placementsRemoved) bytes=\(report.bytesReclaimed) "
                + "record=\(report.purgeRecord ?? "-") spared-by-hold=\(spared.count)",
            resultCount: report.messages)
        return RetentionExecution(purged: purged, spared: spared, report: report)
    }

    /// Stores a purge plan of everything due in `evaluation`. Audited.
    public func writePlan(_ evaluation: RetentionEvaluation, actor: String) async throws -> PurgePlanRecord {
        let now = Date()
        let plan = PurgePlanRecord(
            id: Self.planID(at: now), createdBy: actor, createdAt: now, asOf: evaluation.asOf,
            archiveState: try await store.catalog.messages.retentionArchiveState(), policyFingerprint: policies.fingerprint,
            items: evaluation.due.map {
                PurgePlanItemRecord(sha256: $0.sha256, policy: $0.policy, scope: $0.action, expiredAt: $0.expiredAt)
            })
        try await store.catalog.governance.savePurgePlan(plan)
        try await store.audit(
            actor: actor, action: "retention plan",
            detail: "plan \(plan.id) as-of=\(Self.timestamp(evaluation.asOf)) state=\(plan.archiveState)",
            resultCount: plan.items.count)
        return plan
    }

    /// Executes a pending plan for `actor`, who must not be the plan's maker, if the archive and the
    /// policies are unchanged since it was made (else the plan expires). Audited, refusals too.
    public func approve(planID: String, actor: String) async throws -> (PurgePlanRecord, RetentionExecution) {
        guard let plan = try await store.catalog.governance.purgePlan(id: planID) else {
            throw RetentionError.unknownPlan(planID)
        }
        guard plan.status == .pending else {
            throw RetentionError.planNotPending(planID, status: plan.status.rawValue)
        }
        guard plan.createdBy != actor else {
            try await store.audit(actor: actor, action: "retention approve refused",
                                  detail: "plan \(planID): made by the same actor")
            throw RetentionError.sameActor(plan: planID, actor: actor)
        }
        let state = try await store.catalog.messages.retentionArchiveState()
        var why: String?
        if state != plan.archiveState {
            why = "the archive changed since the plan was made (then \(plan.archiveState), now \(state))"
        } else if policies.fingerprint != plan.policyFingerprint {
            why = "the retention policies changed since the plan was made"
        }
        if let why {
            try await store.catalog.governance.decidePurgePlan(id: planID, status: .expired, by: actor, at: Date(), outcome: why)
            try await store.audit(actor: actor, action: "retention plan expired", detail: "plan \(planID): \(why)")
            throw RetentionError.planExpired(plan: planID, why: why)
        }
        // Claim the plan first, so two approvers racing execute it once.
        try await store.catalog.governance.decidePurgePlan(id: planID, status: .executed, by: actor, at: Date(),
                                                outcome: "executing")
        try await store.audit(actor: actor, action: "retention approve",
                              detail: "plan \(planID) made by \(plan.createdBy)", resultCount: plan.items.count)
        let due = plan.items.map {
            DueMessage(sha256: $0.sha256, policy: $0.policy, action: $0.scope, expiredAt: $0.expiredAt)
        }
        do {
            let execution = try await execute(
                due, actor: actor, reason: "retention plan \(planID) by \(plan.createdBy), approved by \(actor)")
            try await store.catalog.governance.recordPurgePlanOutcome(
                id: planID, outcome: "purged \(execution.report?.messages ?? 0), spared by hold \(execution.spared.count)")
            var decided = plan
            decided.status = .executed
            decided.decidedBy = actor
            return (decided, execution)
        } catch {
            try? await store.catalog.governance.recordPurgePlanOutcome(id: planID, outcome: "failed: \(error)")
            throw error
        }
    }

    /// `plan-20261129-143012-3f9a`: sortable, unique enough for people to type.
    static func planID(at time: Date) -> String {
        let calendar = RetentionPeriod.calendar
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let random = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "plan-\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))-"
            + String(repeating: "0", count: 4 - random.count) + random
    }

    /// ISO 8601 in UTC, to the second.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
