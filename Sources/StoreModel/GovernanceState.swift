#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What governs the record, folded from the archive's governance records in chain order: the
/// operators, legal holds, restrictions of processing, the private-mail rule, locked policies,
/// purge plans and their decisions, purge orders and the protection settings. Each record is applied only if its signature checks and its signer may do
/// what it does at that point of the chain (`refusal(of:)`); a record that fails is listed in
/// `problems` and changes nothing — so a hold release signed by a key nobody vouched for does not
/// release the hold. Pure: the same records always give the same state.
public struct GovernanceState: Sendable {
    public struct Operator: Sendable, Hashable {
        public var record: OperatorRecord
        public var addedBy: String
        public var addedAt: Date
        public var revokedBy: String?
        public var revokedAt: Date?
        public var isActive: Bool { revokedAt == nil }

        public init(record: OperatorRecord, addedBy: String, addedAt: Date, revokedBy: String? = nil, revokedAt: Date? = nil) {
            self.record = record
            self.addedBy = addedBy
            self.addedAt = addedAt
            self.revokedBy = revokedBy
            self.revokedAt = revokedAt
        }
    }

    public struct Plan: Sendable, Hashable {
        public var version: PlanVersion
        /// The operator (or "system") that made it.
        public var madeBy: String
        public var madeAt: Date
        public var status: PurgePlanRecord.Status = .pending
        public var decidedBy: String?
        public var decidedAt: Date?
        public var outcome: String?

        public init(version: PlanVersion, madeBy: String, madeAt: Date) {
            self.version = version
            self.madeBy = madeBy
            self.madeAt = madeAt
        }
    }

    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var location: RecordLocation
        public var action: String
        public var signer: String
        public var reason: String
        public var description: String { "governance record \(location) (\(action), signed by \(signer)): \(reason)" }
    }

    public var operators: [String: Operator] = [:]
    public var holds: [String: LegalHold] = [:]
    public var restrictions: [String: ProcessingRestriction] = [:]
    /// The private-mail rule in force; nil while none was ever set.
    public var privateMail: PrivateMailSetting?
    public var locks: [String: RetentionLockRecord] = [:]
    public var plans: [String: Plan] = [:]
    /// Purge orders by id: who ordered them.
    public var purgeOrders: [String: String] = [:]
    public var protection: ProtectionSettings = ProtectionSettings()
    /// The newest protection change and where it is.
    public var protectionChange: ProtectionChange?
    public var protectionRecord: RecordLocation?
    public var proposals: [String: (proposal: ProtectionProposal, by: String)] = [:]
    /// IMAP access of auditors and compliance operators (password hash, scope, saved searches), by name.
    public var access: [String: OperatorAccess] = [:]
    public var problems: [Problem] = []
    /// Governance records applied.
    public var applied = 0

    /// The archive's seal keys (hex): what a "system" record must be signed with.
    public var systemKeys: Set<String>

    public init(systemKeys: Set<String>) {
        self.systemKeys = systemKeys
    }

    public var activeHolds: [LegalHold] { holds.values.filter(\.isActive).sorted { $0.name < $1.name } }

    /// Applies one record found at `location`, or lists why not.
    public mutating func apply(_ record: GovernanceRecord, at location: RecordLocation) {
        if let reason = refusal(of: record) {
            problems.append(Problem(location: location, action: record.action.name, signer: record.signerDescription,
                                    reason: reason))
            return
        }
        applied += 1
        let by = record.signer == GovernanceRecord.systemSigner ? "system" : "operator:\(record.signer)"
        switch record.action {
        case .operatorAdded(let added):
            operators[added.name] = Operator(record: added, addedBy: by, addedAt: record.at)
        case .operatorRevoked(let name, _):
            operators[name]?.revokedBy = by
            operators[name]?.revokedAt = record.at
        case .holdPlaced(let name, let query, let reason):
            holds[name] = LegalHold(name: name, query: query, reason: reason, createdBy: by, createdAt: record.at)
        case .holdReleased(let name, let reason):
            holds[name]?.releasedBy = by
            holds[name]?.releasedAt = record.at
            holds[name]?.releaseReason = reason
        case .lockRecorded(let version):
            locks[version.policy] = version.record(at: record.at)
        case .lockForgotten(let policy):
            locks[policy] = nil
        case .planMade(let version):
            plans[version.id] = Plan(version: version, madeBy: by, madeAt: record.at)
        case .planDecided(let id, let status, let outcome):
            plans[id]?.status = status
            plans[id]?.decidedBy = by
            plans[id]?.decidedAt = record.at
            plans[id]?.outcome = outcome
        case .purgeOrdered(let id, _, _):
            purgeOrders[id] = by
        case .protectionChanged(let change):
            protection = change.settings
            protectionChange = change
            protectionRecord = location
            if let id = change.proposal {
                proposals[id]?.proposal.status = .approved
                proposals[id]?.proposal.decidedBy = by
                proposals[id]?.proposal.decidedAt = record.at
            }
        case .protectionProposed(let proposal):
            proposals[proposal.id] = (proposal, by)
        case .restrictionPlaced(let name, let query, let reason):
            restrictions[name] = ProcessingRestriction(name: name, query: query, reason: reason, createdBy: by,
                                                       createdAt: record.at)
        case .restrictionReleased(let name, let reason):
            restrictions[name]?.releasedBy = by
            restrictions[name]?.releasedAt = record.at
            restrictions[name]?.releaseReason = reason
        case .privateRuleSet(let rule):
            privateMail = PrivateMailSetting(rule: rule, setBy: by, setAt: record.at)
        case .operatorPasswordSet(let name, let hash):
            access[name, default: OperatorAccess()].passwordHash = hash
        case .operatorScopeSet(let name, let scope):
            access[name, default: OperatorAccess()].scope = scope
        case .operatorSearchSaved(let name, let search, let query):
            access[name, default: OperatorAccess()].searches[search] = query
        case .operatorSearchRemoved(let name, let search):
            access[name]?.searches[search] = nil
        case .quarantineDecided:
            // The decision lives in the catalog's quarantine table; the record is its signed proof.
            break
        }
    }

    /// Why `record` may not be applied here; nil when it may.
    public func refusal(of record: GovernanceRecord) -> String? {
        guard record.hasValidSignature else { return "the signature does not check" }
        let isSystem = record.signer == GovernanceRecord.systemSigner
        if isSystem {
            guard systemKeys.contains(record.key.lowercased()) else {
                return "signed as the system with a key that is not the archive's seal key"
            }
            return systemRefusal(of: record.action)
        }
        if case .operatorAdded(let added) = record.action, operators.isEmpty {
            // The first operator vouches for themselves: an admin, signing with the key it adds.
            guard added.name == record.signer, added.publicKey.lowercased() == record.key.lowercased(),
                added.role == .admin
            else { return "the first operator must be an admin signing with their own new key" }
            return nil
        }
        guard let signer = operators[record.signer] else { return "\(record.signer) is no operator" }
        guard signer.isActive else { return "operator \(record.signer) was revoked" }
        guard signer.record.publicKey.lowercased() == record.key.lowercased() else {
            return "signed with a key that is not operator \(record.signer)'s"
        }
        return operatorRefusal(of: record.action, by: signer.record)
    }

    /// The server signs alone only what keeps more, or what the settings let it do.
    private func systemRefusal(of action: GovernanceAction) -> String? {
        switch action {
        case .lockRecorded:
            return nil
        case .planMade(let plan):
            return plans[plan.id] == nil ? nil : "plan \(plan.id) exists already"
        case .planDecided(let id, let status, _):
            guard status == .expired else { return "only an operator approves a plan" }
            return plans[id]?.status == .pending ? nil : "plan \(id) is not pending"
        case .protectionChanged(let change):
            return protection.isLowered(by: change.settings) ? "only an approved proposal lowers protection" : nil
        case .purgeOrdered:
            return protection.autoPurge && !protection.requireApproval
                ? nil : "the server purges by itself only with auto_purge on and approval not required"
        default:
            return "\(action.name) needs an operator's key"
        }
    }

    private func operatorRefusal(of action: GovernanceAction, by signer: OperatorRecord) -> String? {
        let governs = signer.role.mayGovernRetention
        switch action {
        case .operatorAdded(let added):
            guard signer.role.mayManageOperators else { return "only an admin adds operators" }
            if operators[added.name] != nil { return "operator \(added.name) exists already" }
            if operators.values.contains(where: { $0.record.publicKey.lowercased() == added.publicKey.lowercased() }) {
                return "that key belongs to another operator"
            }
            return nil
        case .operatorRevoked(let name, _):
            guard signer.role.mayManageOperators else { return "only an admin revokes operators" }
            guard let target = operators[name], target.isActive else { return "\(name) is no active operator" }
            let admins = operators.values.filter { $0.isActive && $0.record.role == .admin }
            if target.record.role == .admin && admins.count == 1 { return "the last admin cannot be revoked" }
            return nil
        case .holdPlaced(let name, _, _):
            guard governs else { return "a \(signer.role.rawValue) places no holds" }
            return holds[name] == nil ? nil : "hold \(name) exists already"
        case .holdReleased(let name, _):
            guard governs else { return "a \(signer.role.rawValue) releases no holds" }
            return holds[name]?.isActive == true ? nil : "hold \(name) is not active"
        case .lockRecorded, .lockForgotten:
            return governs ? nil : "a \(signer.role.rawValue) changes no policy locks"
        case .planMade(let plan):
            guard governs else { return "a \(signer.role.rawValue) makes no purge plans" }
            return plans[plan.id] == nil ? nil : "plan \(plan.id) exists already"
        case .planDecided(let id, let status, _):
            guard governs else { return "a \(signer.role.rawValue) decides no purge plans" }
            guard let plan = plans[id], plan.status == .pending else { return "plan \(id) is not pending" }
            if status == .executed && plan.madeBy == "operator:\(signer.name)" {
                return "the key that made plan \(id) cannot approve it"
            }
            return nil
        case .purgeOrdered:
            guard governs else { return "a \(signer.role.rawValue) orders no purges" }
            return protection.requireApproval ? "approval is required: a purge needs an approved plan" : nil
        case .protectionChanged(let change):
            guard signer.role.mayManageOperators else { return "only an admin changes the protection settings" }
            guard protection.isLowered(by: change.settings) else { return nil }
            guard let id = change.proposal, let pending = proposals[id], pending.proposal.status == .pending else {
                return "lowering protection needs a pending proposal"
            }
            guard pending.proposal.from == protection, pending.proposal.settings == change.settings else {
                return "the proposal \(id) was made for other settings"
            }
            return pending.by == "operator:\(signer.name)" ? "the key that proposed \(id) cannot approve it" : nil
        case .protectionProposed(let proposal):
            guard signer.role.mayManageOperators else { return "only an admin proposes protection changes" }
            return proposals[proposal.id] == nil ? nil : "proposal \(proposal.id) exists already"
        // Restrictions and the private-mail rule decide who sees mail, as holds decide what is
        // kept: the roles that place holds (admin, compliance) set them; an auditor does not.
        case .restrictionPlaced(let name, _, _):
            guard governs else { return "a \(signer.role.rawValue) places no restrictions" }
            return restrictions[name] == nil ? nil : "restriction \(name) exists already"
        case .restrictionReleased(let name, _):
            guard governs else { return "a \(signer.role.rawValue) releases no restrictions" }
            return restrictions[name]?.isActive == true ? nil : "restriction \(name) is not active"
        case .privateRuleSet:
            return governs ? nil : "a \(signer.role.rawValue) sets no private-mail rule"
        case .operatorPasswordSet(let name, _):
            // Nobody gives themselves someone else's login: the operator sets their own, or an admin does.
            guard signer.name == name || signer.role.mayManageOperators else {
                return "only \(name) or an admin sets \(name)'s IMAP password"
            }
            return accessTargetRefusal(name)
        case .operatorScopeSet(let name, _):
            guard governs else { return "a \(signer.role.rawValue) sets no auditor scopes" }
            return accessTargetRefusal(name)
        case .operatorSearchSaved(let name, _, _):
            guard governs || signer.name == name else { return "only \(name), an admin or a compliance operator saves \(name)'s searches" }
            return accessTargetRefusal(name)
        case .operatorSearchRemoved(let name, let search):
            guard governs || signer.name == name else { return "only \(name), an admin or a compliance operator removes \(name)'s searches" }
            if let refusal = accessTargetRefusal(name) { return refusal }
            return access[name]?.searches[search] == nil ? "\(name) has no saved search \(search)" : nil
        // Whether held mail leaves is a compliance decision, like a hold.
        case .quarantineDecided:
            return governs ? nil : "a \(signer.role.rawValue) decides no quarantined mail"
        }
    }

    /// IMAP access is for active auditors and compliance operators only.
    private func accessTargetRefusal(_ name: String) -> String? {
        guard let target = operators[name], target.isActive else { return "\(name) is no active operator" }
        guard target.record.role == .auditor || target.record.role == .compliance else {
            return "IMAP access is for auditors and compliance operators; \(name) is an \(target.record.role.rawValue)"
        }
        return nil
    }
}
