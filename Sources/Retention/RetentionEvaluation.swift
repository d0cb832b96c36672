import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message whose retention period is over and whose governing policy removes it.
public struct DueMessage: Sendable, Hashable, Codable {
    public var sha256: String
    /// The governing policy: the one whose period ends last (longest retention wins).
    public var policy: String
    /// `purge` or `purge-archive` (never `keep`).
    public var action: String
    /// When the governing policy's period ended.
    public var expiredAt: Date
    /// The active holds whose query matches the message; empty when it may be purged.
    public var heldBy: [String]

    public init(sha256: String, policy: String, action: String, expiredAt: Date, heldBy: [String] = []) {
        self.sha256 = sha256
        self.policy = policy
        self.action = action
        self.expiredAt = expiredAt
        self.heldBy = heldBy
    }

    /// What `MailStore.purge` is given; nil for an action that does not purge.
    public var purgeItem: PurgeItem? {
        guard let scope = RetentionAction(rawValue: action)?.purgeScope else { return nil }
        return PurgeItem(sha256: sha256, policy: policy, scope: scope)
    }
}

/// One policy's standing as of an instant, for `tresor retention list` and the daily log line.
public struct PolicySummary: Sendable, Hashable, Codable {
    public var name: String
    public var action: String
    public var retain: String
    public var countFrom: String
    public var locked: Bool
    /// Governs only what no other policy matches.
    public var fallback: Bool
    /// Messages its `match` selects.
    public var matches: Int
    /// Messages it governs: of those it matches, the ones where it decides (see `RetentionEvaluator`).
    public var governs: Int
    /// The messages it matches but does not govern, counted by the policy that governs them instead.
    public var governedByOthers: [String: Int]
    /// The received time of the oldest message it governs.
    public var oldest: Date?
    /// The earliest end of a period still running among the messages it governs.
    public var nextExpiry: Date?
    /// Governed messages whose period is over, that the action removes and that no active hold keeps:
    /// the ones a run would purge.
    public var due: Int
    /// Governed messages whose period is over and that the action would remove, but an active hold keeps.
    public var held: Int
}

/// What the policies and holds say about the archive at one instant.
public struct RetentionEvaluation: Sendable, Hashable {
    /// The instant evaluated: `--as-of`, else now.
    public var asOf: Date
    /// To purge: period over, action purges, no active hold.
    public var due: [DueMessage]
    /// Would be purged, but an active hold keeps them.
    public var held: [DueMessage]
    /// One per policy, in load order.
    public var summaries: [PolicySummary]
    /// Messages that at least one policy matches.
    public var governed: Int

    public var purgeItems: [PurgeItem] { due.compactMap(\.purgeItem) }
}

/// The pure part of retention: from each policy's matches and each hold's matches, decide per
/// message. No I/O, so every rule is tested on plain values.
///
/// Rules: a message no policy matches is kept. Of the policies that match a message, the fallbacks
/// (`fallback = true`) count only when no other policy matches it; among those that count, the policy
/// whose period ends last governs (longest retention wins); on a tie the one that removes less
/// (keep, then purge-archive, then purge), then the one loaded first. A governed message is due when
/// its period ended at or before `asOf` and the action is not `keep`; a retention floor a locked
/// policy stamped on the message when it arrived moves that end later, never earlier. A due message
/// any active hold matches is held, never purged.
public enum RetentionEvaluator {
    public static func evaluate(policies: [RetentionPolicy], matches: [String: [RetentionCandidate]],
                                holds: [String: Set<String>], asOf: Date) -> RetentionEvaluation {
        struct Decision {
            var policy: Int
            var expiry: Date
            var date: Date
        }
        var decisions: [String: Decision] = [:]
        // Two rounds: the policies written for particular mail first, then the fallbacks for the
        // messages none of those matched.
        for fallbackRound in [false, true] {
            let decidedByOthers = fallbackRound ? decisions : [:]
            for (index, policy) in policies.enumerated() where policy.fallback == fallbackRound {
                for candidate in matches[policy.name] ?? [] where decidedByOthers[candidate.sha256] == nil {
                    let expiry = Swift.max(policy.expiry(of: candidate), candidate.floor ?? .distantPast)
                    if let current = decisions[candidate.sha256] {
                        let winner = policies[current.policy]
                        let wins = expiry > current.expiry
                            || (expiry == current.expiry && policy.action.leniency > winner.action.leniency)
                        guard wins else { continue }
                    }
                    decisions[candidate.sha256] = Decision(
                        policy: index, expiry: expiry, date: candidate.receivedAt)
                }
            }
        }
        var holdsByMessage: [String: [String]] = [:]
        for (hold, ids) in holds {
            for id in ids where decisions[id] != nil { holdsByMessage[id, default: []].append(hold) }
        }
        var summaries = policies.enumerated().map { index, policy in
            var others: [String: Int] = [:]
            let candidates = matches[policy.name] ?? []
            for candidate in candidates {
                if let decision = decisions[candidate.sha256], decision.policy != index {
                    others[policies[decision.policy].name, default: 0] += 1
                }
            }
            return PolicySummary(
                name: policy.name, action: policy.action.rawValue, retain: policy.retain.description,
                countFrom: policy.countFrom.rawValue, locked: policy.locked, fallback: policy.fallback,
                matches: candidates.count, governs: 0, governedByOthers: others, oldest: nil, nextExpiry: nil, due: 0,
                held: 0)
        }
        var due: [DueMessage] = []
        var held: [DueMessage] = []
        for (sha256, decision) in decisions {
            let policy = policies[decision.policy]
            summaries[decision.policy].governs += 1
            if summaries[decision.policy].oldest.map({ decision.date < $0 }) ?? true {
                summaries[decision.policy].oldest = decision.date
            }
            guard decision.expiry <= asOf else {
                if summaries[decision.policy].nextExpiry.map({ decision.expiry < $0 }) ?? true {
                    summaries[decision.policy].nextExpiry = decision.expiry
                }
                continue
            }
            guard policy.action != .keep else { continue }
            let holders = (holdsByMessage[sha256] ?? []).sorted()
            let message = DueMessage(sha256: sha256, policy: policy.name, action: policy.action.rawValue,
                                     expiredAt: decision.expiry, heldBy: holders)
            if holders.isEmpty {
                summaries[decision.policy].due += 1
                due.append(message)
            } else {
                summaries[decision.policy].held += 1
                held.append(message)
            }
        }
        let order = { (a: DueMessage, b: DueMessage) in (a.expiredAt, a.sha256) < (b.expiredAt, b.sha256) }
        return RetentionEvaluation(asOf: asOf, due: due.sorted(by: order), held: held.sorted(by: order),
                                   summaries: summaries, governed: decisions.count)
    }
}
