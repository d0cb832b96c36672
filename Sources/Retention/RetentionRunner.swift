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
// - Four eyes: under `require_approval` a run only writes a plan; another operator's key approves it, and only
//   while the archive (messages and deliveries) and the policies are as they were when it was made.
// - Every run, plan, approval, refusal and purge is written to the audit log (archive event first,
//   then the catalog, inside `MailStore.compliance`).
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
        do {
            return try await store.compliance.heldMessages()
        } catch .invalidHoldQuery(let hold, let problem) {
            throw RetentionError.invalidHoldQuery(hold: hold, problem: problem)
        }
    }

    /// Evaluates every policy once (ids and dates only) and the active holds, as of `asOf`.
    public func evaluate(asOf: Date) async throws -> RetentionEvaluation {
        var matches: [String: [RetentionCandidate]] = [:]
        for policy in policies.policies {
            matches[policy.name] = try await store.compliance.retentionCandidates(matching: policy.query)
        }
        return RetentionEvaluator.evaluate(policies: policies.policies, matches: matches,
                                           holds: try await heldMessages(), asOf: asOf)
    }

    /// The mode a run takes: a dry run when asked; else, after adopting what the configuration asks
    /// of the protection settings (it may switch approval on, never off), a plan while the data
    /// directory requires approval and a purge otherwise. The note says when the configuration asks
    /// for less than the data directory holds.
    public func mode(dryRun: Bool, configured: ProtectionSettings, signer: GovernanceSigner) async throws
        -> (mode: RetentionApplyMode, protection: ProtectionSettings, note: String?)
    {
        // What tresor.toml asks for is signed with the seal key (it may only raise protection), on
        // behalf of whoever runs this.
        let (protection, note) = try await store.compliance.adoptConfiguredProtection(
            configured, by: .system("tresor.toml", onBehalfOf: signer.actor))
        let mode: RetentionApplyMode = dryRun ? .dryRun : protection.requireApproval ? .plan : .execute
        return (mode, protection, note)
    }

    /// Evaluates as of `asOf` and then, by `mode`, reports, purges or writes a plan. Audited.
    public func apply(asOf: Date, mode: RetentionApplyMode, signer: GovernanceSigner) async throws -> RetentionApplyOutcome {
        try await apply(try await evaluate(asOf: asOf), mode: mode, signer: signer)
    }

    /// By `mode`, reports, purges or writes a plan of an evaluation made before (for instance one a
    /// person confirmed). Audited. A purge still checks holds and the real clock right before it.
    public func apply(_ evaluation: RetentionEvaluation, mode: RetentionApplyMode, signer: GovernanceSigner) async throws
        -> RetentionApplyOutcome
    {
        let actor = signer.actor
        let asOf = evaluation.asOf
        var outcome = RetentionApplyOutcome(evaluation: evaluation, mode: mode)
        try await store.compliance.record(
            "retention apply",
            detail: "mode=\(mode.rawValue) as-of=\(Self.timestamp(asOf)) due=\(evaluation.due.count) "
                + "held=\(evaluation.held.count) policies=\(policies.fingerprint)",
            resultCount: evaluation.due.count, by: actor)
        switch mode {
        case .dryRun:
            break
        case .execute:
            guard !evaluation.due.isEmpty else { break }
            outcome.execution = try await execute(
                evaluation.due, signer: signer, reason: "retention apply as of \(Self.timestamp(asOf))")
        case .plan:
            guard !evaluation.due.isEmpty else { break }
            outcome.plan = try await writePlan(evaluation, signer: signer)
        }
        return outcome
    }

    /// Purges `due`, minus whatever an active hold matches at this moment and whatever the real
    /// clock says is not yet due (a plan made for another day never purges early). Audited.
    public func execute(_ due: [DueMessage], signer: GovernanceSigner, reason: String, plan: String? = nil) async throws
        -> RetentionExecution
    {
        let actor = signer.actor
        let held = try await heldMessages()
        let now = store.clock.now()
        var holders: [String: [String]] = [:]
        for (hold, ids) in held { for id in ids { holders[id, default: []].append(hold) } }
        var purged: [DueMessage] = []
        var spared: [DueMessage] = []
        var early: [DueMessage] = []
        for var message in due {
            if message.expiredAt > now {
                early.append(message)
            } else if let names = holders[message.sha256] {
                message.heldBy = names.sorted()
                spared.append(message)
            } else {
                purged.append(message)
            }
        }
        if !early.isEmpty {
            logger.notice("retention: not yet due by the real clock, kept", metadata: [
                "messages": "\(early.count)", "first expiry": "\(Self.timestamp(early.map(\.expiredAt).min()!))",
            ])
        }
        let items = purged.compactMap(\.purgeItem)
        guard !items.isEmpty else { return RetentionExecution(purged: [], spared: spared, report: nil) }
        logger.notice("retention purge", metadata: [
            "messages": "\(items.count)", "spared": "\(spared.count)", "actor": "\(actor)", "reason": "\(reason)",
        ])
        let report = try await store.compliance.purge(items, reason: reason, plan: plan, by: signer)
        let byPolicy = Dictionary(grouping: purged, by: \.policy).map { "\($0.key)=\($0.value.count)" }.sorted()
        try await store.compliance.record(
            "retention purge",
            detail: "\(reason); policies \(byPolicy.joined(separator: " ")); deliveries=\(report.deliveries) "
                + "placements=\(report.placementsRemoved) bytes=\(report.bytesReclaimed) "
                + "record=\(report.purgeRecord ?? "-") spared-by-hold=\(spared.count) not-yet-due=\(early.count) "
                + "protected-by-floor=\(report.protected.count)",
            resultCount: report.messages, by: actor)
        return RetentionExecution(purged: purged, spared: spared, report: report)
    }

    /// Stores a purge plan of everything due in `evaluation`. Audited.
    public func writePlan(_ evaluation: RetentionEvaluation, signer: GovernanceSigner) async throws -> PurgePlanRecord {
        let now = store.clock.now()
        let plan = PurgePlanRecord(
            id: Self.planID(at: now), createdBy: signer.foldName, createdAt: now, asOf: evaluation.asOf,
            archiveState: try await store.compliance.archiveState(), policyFingerprint: policies.fingerprint,
            items: evaluation.due.compactMap { due in
                due.purgeItem.map { PurgeItem(sha256: $0.sha256, policy: $0.policy, scope: $0.scope, expiredAt: due.expiredAt) }
            })
        try await store.compliance.savePlan(plan, by: signer)
        return plan
    }

    /// Executes a pending plan for `signer`, whose key must not be the plan's maker's, if the archive and the
    /// policies are unchanged since it was made (else the plan expires). Audited, refusals too.
    public func approve(planID: String, signer: GovernanceSigner) async throws -> (PurgePlanRecord, RetentionExecution) {
        let actor = signer.actor
        guard let plan = try await store.compliance.plan(id: planID) else {
            throw RetentionError.unknownPlan(planID)
        }
        guard plan.status == .pending else {
            throw RetentionError.planNotPending(planID, status: plan.status.rawValue)
        }
        guard plan.createdBy != signer.foldName else {
            try await store.compliance.record("retention approve refused", detail: "plan \(planID): made with the same key",
                                              by: actor)
            throw RetentionError.sameActor(plan: planID, actor: signer.foldName)
        }
        let state = try await store.compliance.archiveState()
        var why: String?
        if state != plan.archiveState {
            why = "the archive changed since the plan was made (then \(plan.archiveState), now \(state))"
        } else if policies.fingerprint != plan.policyFingerprint {
            why = "the retention policies changed since the plan was made"
        }
        if let why {
            try await store.compliance.decidePlan(id: planID, status: .expired, outcome: why, by: signer)
            throw RetentionError.planExpired(plan: planID, why: why)
        }
        // Claim the plan first, so two approvers racing execute it once.
        try await store.compliance.decidePlan(id: planID, status: .executed,
                                              outcome: "executing, made by \(plan.createdBy)", by: signer)
        let due = plan.items.map {
            DueMessage(sha256: $0.sha256, policy: $0.policy,
                       action: $0.scope == .archiveOnly ? RetentionAction.purgeArchive.rawValue : RetentionAction.purge.rawValue,
                       expiredAt: $0.expiredAt ?? plan.asOf)
        }
        do {
            let execution = try await execute(
                due, signer: signer, reason: "retention plan \(planID) by \(plan.createdBy), approved by \(actor)",
                plan: planID)
            try await store.compliance.recordPlanOutcome(
                id: planID, outcome: "purged \(execution.report?.messages ?? 0), spared by hold \(execution.spared.count)")
            var decided = plan
            decided.status = .executed
            decided.decidedBy = signer.foldName
            return (decided, execution)
        } catch {
            try? await store.compliance.recordPlanOutcome(id: planID, outcome: "failed: \(error)")
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
        Timestamp.string(date)
    }
}
