/// What an operator may do. Governance actions are signed with an operator's key; the role decides
/// which actions that key may sign. Reads (search, show, export, audit) need no role: they are
/// audited under the OS account.
public enum OperatorRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Operators, protection settings, and everything a compliance officer may do.
    case admin
    /// Legal holds, retention policy locks, purge plans, approvals and purges.
    case compliance
    /// Reads and checks the record; signs nothing that changes it.
    case auditor

    public var mayGovernRetention: Bool { self == .admin || self == .compliance }
    public var mayManageOperators: Bool { self == .admin }
}
