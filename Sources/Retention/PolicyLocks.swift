import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Locked policies: a policy marked `locked = true` may later be lengthened but never shortened,
/// loosened or removed while messages it governs exist (GoBD: records must not be destroyed before
/// their period ends, whoever edits the files).
///
/// The catalog remembers each locked policy's strictest version (`retention_lock`). A new version is
/// compared with that, not with the previous file, so shortening in two steps is caught as well.
public enum PolicyLocks {
    /// Why `new` loosens `stored`; empty when it does not. `new` nil: the policy was removed.
    static func loosenings(of stored: RetentionLockRecord, by new: RetentionPolicy?) -> [String] {
        guard let new else { return ["it was removed"] }
        var reasons: [String] = []
        if !new.locked { reasons.append("it was unlocked (locked = false)") }
        if new.match != stored.match {
            reasons.append("match changed from \"\(stored.match)\" to \"\(new.match)\"")
        }
        if let old = RetentionPeriod(parsing: stored.retain), !new.retain.isNeverShorter(than: old) {
            reasons.append("retain shortened from \(old) to \(new.retain)")
        }
        if let old = CountFrom(rawValue: stored.countFrom), !new.countFrom.neverStartsEarlier(than: old) {
            reasons.append("count_from changed from \(old.rawValue) to \(new.countFrom.rawValue), "
                           + "which can end the period earlier")
        }
        if let old = RetentionAction(rawValue: stored.action), new.action.leniency < old.leniency {
            reasons.append("action changed from \(old.rawValue) to \(new.action.rawValue), which removes more")
        }
        return reasons
    }

    /// What reconciling `policies` with the remembered versions would do.
    public struct Reconciliation: Sendable, Hashable {
        /// Refusals: a locked policy loosened or removed while it governs messages.
        public var problems: [PolicyProblem] = []
        /// Versions to remember (new locked policies, and lengthened or loosened-but-empty ones).
        public var record: [RetentionLockRecord] = []
        /// Remembered policies to forget (removed or unlocked while governing nothing).
        public var forget: [String] = []
    }

    /// Compares `policies` with the catalog's remembered versions. `governed` counts the messages a
    /// remembered `match` selects now (`*` for all).
    public static func reconcile(_ policies: PolicySet, remembered: [RetentionLockRecord], now: Date,
                                 governed: (String) async throws -> Int) async throws -> Reconciliation {
        var result = Reconciliation()
        let byName = Dictionary(uniqueKeysWithValues: remembered.map { ($0.policy, $0) })
        for stored in remembered {
            let new = policies.policy(named: stored.policy)
            let reasons = loosenings(of: stored, by: new)
            if reasons.isEmpty {
                if let new, record(of: new, at: now) != record(of: stored, at: now) {
                    result.record.append(record(of: new, at: now))
                }
                continue
            }
            let count = try await governed(stored.match)
            if count > 0 {
                result.problems.append(PolicyProblem(
                    file: new?.source.file ?? stored.file, line: new?.source.line,
                    problem: "locked policy \"\(stored.policy)\" is refused: " + reasons.joined(separator: "; ")
                        + " while \(count) message(s) it governs exist (strictest version: retain \(stored.retain), "
                        + "count_from \(stored.countFrom), action \(stored.action), match \"\(stored.match)\", "
                        + "from \(stored.file))"))
            } else if let new, new.locked {
                result.record.append(record(of: new, at: now))
            } else {
                result.forget.append(stored.policy)
            }
        }
        for policy in policies.policies where policy.locked && byName[policy.name] == nil {
            result.record.append(record(of: policy, at: now))
        }
        return result
    }

    /// Checks `policies` against the catalog; throws every refusal (audited). With `remember`,
    /// stores the new strictest versions as governance records signed by `signer` (`serve` and a
    /// real `retention apply` do; `retention check`, `list` and `apply --dry-run` only read).
    public static func enforce(_ policies: PolicySet, store: MailStore, remember: Bool, by signer: GovernanceSigner)
        async throws
    {
        let compliance = store.compliance
        let reconciliation = try await reconcile(
            policies, remembered: try await compliance.retentionLocks(), now: store.clock.now()
        ) { match in
            let trimmed = match.trimmingCharacters(in: .whitespaces)
            let query = trimmed == RetentionPolicy.matchEverything ? nil : try? SearchQuery(parsing: trimmed)
            // A remembered match that no longer parses is counted as governing everything: refuse rather
            // than guess.
            if query == nil && trimmed != RetentionPolicy.matchEverything { return Int.max }
            return try await compliance.retentionCount(matching: query)
        }
        guard reconciliation.problems.isEmpty else {
            // A refused loosening leaves a trace: who tried, and what. A read-only store (a listing)
            // cannot write one; the refusal is still thrown and printed.
            if store.readOnlyCatalog { throw PolicyLoadError(problems: reconciliation.problems) }
            try await compliance.record(
                "retention lock refused",
                detail: reconciliation.problems.map(\.description).joined(separator: "; "),
                resultCount: reconciliation.problems.count, by: signer.actor)
            throw PolicyLoadError(problems: reconciliation.problems)
        }
        if remember {
            try await compliance.updateRetentionLocks(record: reconciliation.record, forget: reconciliation.forget,
                                                      by: signer)
        }
    }

    /// What `lock` did.
    public enum LockOutcome: Sendable, Hashable {
        /// The policy's version is now the remembered one.
        case recorded(RetentionLockRecord)
        /// The catalog already remembers this version (or a stricter one it may not loosen).
        case alreadyRemembered(RetentionLockRecord)
    }

    /// Remembers one locked policy now (`tresor retention lock POLICY`), and nothing else: the other
    /// policies are only checked, as `retention check` checks them. Throws when the policy is unknown,
    /// not written `locked = true`, or when any locked policy loosens a remembered one (audited).
    public static func lock(_ name: String, in policies: PolicySet, store: MailStore, by signer: GovernanceSigner)
        async throws -> LockOutcome
    {
        guard let policy = policies.policy(named: name) else {
            let known = policies.policies.map(\.name).joined(separator: ", ")
            throw PolicyLoadError(problems: [PolicyProblem(
                file: policies.files.first ?? "retention policies", line: nil,
                problem: "no policy named \"\(name)\" (loaded: \(known.isEmpty ? "none" : known))")])
        }
        guard policy.locked else {
            throw PolicyLoadError(problems: [PolicyProblem(
                file: policy.source.file, line: policy.source.line,
                problem: "policy \"\(name)\" is not locked: write locked = true in its [[policy]] table first")])
        }
        try await enforce(policies, store: store, remember: false, by: signer)
        let compliance = store.compliance
        let now = store.clock.now()
        let wanted = record(of: policy, at: now)
        if let stored = try await compliance.retentionLocks().first(where: { $0.policy == name }),
            record(of: stored, at: now) == wanted
        {
            return .alreadyRemembered(stored)
        }
        try await compliance.updateRetentionLocks(record: [wanted], forget: [], by: signer)
        return .recorded(wanted)
    }

    private static func record(of policy: RetentionPolicy, at time: Date) -> RetentionLockRecord {
        RetentionLockRecord(
            policy: policy.name, match: policy.match, retain: policy.retain.description,
            countFrom: policy.countFrom.rawValue, action: policy.action.rawValue, file: policy.source.file,
            recordedAt: time)
    }

    /// The same record with the time blanked, to compare content only.
    private static func record(of stored: RetentionLockRecord, at time: Date) -> RetentionLockRecord {
        var copy = stored
        copy.recordedAt = time
        return copy
    }
}
