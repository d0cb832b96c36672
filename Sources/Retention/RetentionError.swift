/// Why a retention run, plan or approval was refused.
public enum RetentionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stored hold's query no longer parses: nothing is purged until it is fixed (fail closed).
    case invalidHoldQuery(hold: String, problem: String)
    case unknownPlan(String)
    case planNotPending(String, status: String)
    /// Four-eyes principle: the person who made a plan cannot approve it.
    case sameActor(plan: String, actor: String)
    /// The archive or the policies changed since the plan was made.
    case planExpired(plan: String, why: String)

    public var description: String {
        switch self {
        case .invalidHoldQuery(let hold, let problem):
            "hold \"\(hold)\" has a query that no longer parses (\(problem)); nothing is purged until it is released"
        case .unknownPlan(let id): "no purge plan \(id)"
        case .planNotPending(let id, let status): "purge plan \(id) is \(status), not pending"
        case .sameActor(let plan, let actor):
            "purge plan \(plan) was made by \(actor); a different person must approve it (four-eyes principle)"
        case .planExpired(let plan, let why): "plan expired: \(plan): \(why); run `tresor retention apply` for a new plan"
        }
    }
}
