import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Governance in the chain. Every governance action is signed (`GovernanceSigner`), checked
/// against the rules on the state the catalog caches (so a refusal comes before anything is
/// written), journaled as a governance record, then cached in the catalog and audited. The
/// archive's records are what counts: `governanceFromArchive()` folds them, a purge stops when the
/// catalog says otherwise, `verify` names every difference, and `reindex` rebuilds the cache.
extension ComplianceService {
    /// Signs `action`, checks it, journals it; the record and where it is.
    func journalGovernance(_ action: GovernanceAction, by signer: GovernanceSigner) async throws
        -> (record: GovernanceRecord, location: RecordLocation)
    {
        let (key, sign) = try await signingKey(for: signer)
        var record = GovernanceRecord(signer: signer.signerName, key: key, at: clock.now(), action: action)
        record.signature = Hex.string(sign(record.signedBytes))
        let state = try await cachedGovernanceState()
        if let reason = state.refusal(of: record) {
            try await audit("\(action.name) refused", reason, by: signer.actor)
            throw GovernanceError.refused(action: action.name, reason: reason)
        }
        let location = try await archive.append(event: .governance, payload: record.canonicalJSON())
        return (record, location)
    }

    /// The public key (hex) and the signing function of `signer`.
    private func signingKey(for signer: GovernanceSigner) async throws -> (String, @Sendable ([UInt8]) -> [UInt8]) {
        switch signer.key {
        case .operatorKey(let key):
            return (key.publicKeyHex, { key.sign($0) })
        case .system:
            // The seal key in effect (after any rotation, wherever `seal_key` keeps it).
            let key = try await store.archive.currentSealKey().key
            return (key.publicKeyHex, { key.sign($0) })
        }
    }

    /// The seal keys a "system" record may be signed with.
    /// Every key of the archive's chain of seal keys (from its root through each rotation record),
    /// since a record is signed with the key in effect when it was written.
    func systemKeys() async throws -> Set<String> {
        Set(try await store.trustedSealKeys().map { $0.hex.lowercased() })
    }

    /// The governance state as the catalog caches it (for checking an action before journaling it).
    func cachedGovernanceState() async throws -> GovernanceState {
        try await Self.cachedGovernanceState(catalog: catalog, systemKeys: try await systemKeys())
    }

    static func cachedGovernanceState(catalog: Catalog, systemKeys: Set<String>) async throws -> GovernanceState {
        var state = GovernanceState(systemKeys: systemKeys)
        for op in try await catalog.governance.operators() { state.operators[op.record.name] = op }
        for hold in try await catalog.governance.legalHolds() { state.holds[hold.name] = hold }
        for restriction in try await catalog.governance.restrictions() { state.restrictions[restriction.name] = restriction }
        state.privateMail = try await catalog.governance.privateMailRule()
        for lock in try await catalog.governance.retentionLocks() { state.locks[lock.policy] = lock }
        for plan in try await catalog.governance.purgePlans() {
            var folded = GovernanceState.Plan(version: PlanVersion(plan), madeBy: plan.createdBy, madeAt: plan.createdAt)
            folded.status = plan.status
            folded.decidedBy = plan.decidedBy
            state.plans[plan.id] = folded
        }
        if let stored = try await catalog.governance.protection() { state.protection = stored.settings }
        for proposal in try await catalog.governance.protectionProposals() {
            state.proposals[proposal.id] = (proposal, proposal.createdBy)
        }
        state.access = try await catalog.governance.operatorAccess()
        return state
    }

    /// Folds every governance record of the archive, in chain order (reads the whole archive).
    public func governanceFromArchive() async throws(ComplianceError) -> GovernanceState {
        try await catching { try await foldGovernance() }
    }

    func foldGovernance() async throws -> GovernanceState {
        let archive = self.archive
        let keys = try await systemKeys()
        return try await BlockingWork.io.run {
            var state = GovernanceState(systemKeys: keys)
            try archive.forEachRecord { record in
                if let governance = Self.governanceRecord(in: record) { state.apply(governance, at: record.location) }
            }
            return state
        }
    }

    /// The governance record an archive record carries, if it is one.
    static func governanceRecord(in record: ArchiveRecord) -> GovernanceRecord? {
        guard record.kind == .event, record.eventKind == .governance, let payload = record.eventPayload else { return nil }
        return GovernanceRecord.decode(payload)
    }

    /// Every difference between the catalog's governance tables and the archive's records: what the
    /// chain says is missing or different in the catalog (a purge must not rely on that), and what
    /// only the catalog has (`unvouched`: it keeps more mail, nothing vouches for it).
    public func governanceDifferences(from chain: GovernanceState) async throws(ComplianceError)
        -> (differences: [String], unvouched: [String])
    {
        try await catching { Self.compare(chain: chain, cached: try await cachedGovernanceState()) }
    }

    static func compare(chain: GovernanceState, cached: GovernanceState) -> (differences: [String], unvouched: [String]) {
        var differences: [String] = []
        var unvouched: [String] = []
        for (name, op) in chain.operators.sorted(by: { $0.key < $1.key }) {
            guard let mine = cached.operators[name] else {
                differences.append("operator \(name) is missing from the catalog")
                continue
            }
            if mine.record != op.record || mine.isActive != op.isActive {
                differences.append("operator \(name) differs (catalog: \(mine.record.role.rawValue), "
                                   + "\(mine.isActive ? "active" : "revoked"); archive: \(op.record.role.rawValue), "
                                   + "\(op.isActive ? "active" : "revoked"))")
            }
        }
        for name in cached.operators.keys.sorted() where chain.operators[name] == nil {
            differences.append("the catalog lists operator \(name), whom no governance record added")
        }
        for (name, hold) in chain.holds.sorted(by: { $0.key < $1.key }) {
            guard let mine = cached.holds[name] else {
                differences.append("hold \(name) (\(hold.isActive ? "active" : "released")) is missing from the catalog")
                continue
            }
            if mine.query != hold.query || mine.isActive != hold.isActive {
                differences.append("hold \(name) differs (catalog: \(mine.isActive ? "active" : "released"), "
                                   + "query \(mine.query); archive: \(hold.isActive ? "active" : "released"), "
                                   + "query \(hold.query))")
            }
        }
        for name in cached.holds.keys.sorted() where chain.holds[name] == nil {
            unvouched.append("hold \(name) is in the catalog but no governance record placed it")
        }
        compareRestrictions(chain: chain, cached: cached, differences: &differences, unvouched: &unvouched)
        if chain.privateMail?.rule != cached.privateMail?.rule {
            differences.append("the private-mail rule differs (catalog: \(cached.privateMail?.rule.description ?? "none"); "
                               + "archive: \(chain.privateMail?.rule.description ?? "none"))")
        }
        for (policy, lock) in chain.locks.sorted(by: { $0.key < $1.key }) {
            guard let mine = cached.locks[policy] else {
                differences.append("locked policy \(policy) is missing from the catalog")
                continue
            }
            if LockedPolicyVersion(mine) != LockedPolicyVersion(lock) {
                differences.append("locked policy \(policy) differs (catalog: \(mine.retain) \(mine.countFrom) "
                                   + "\(mine.action) \(mine.match); archive: \(lock.retain) \(lock.countFrom) "
                                   + "\(lock.action) \(lock.match))")
            }
        }
        for policy in cached.locks.keys.sorted() where chain.locks[policy] == nil {
            unvouched.append("locked policy \(policy) is in the catalog but no governance record recorded it")
        }
        for (id, plan) in chain.plans.sorted(by: { $0.key < $1.key }) {
            guard let mine = cached.plans[id] else {
                differences.append("purge plan \(id) is missing from the catalog")
                continue
            }
            if mine.status != plan.status {
                differences.append("purge plan \(id) is \(mine.status.rawValue) in the catalog, "
                                   + "\(plan.status.rawValue) in the archive")
            }
        }
        for id in cached.plans.keys.sorted() where chain.plans[id] == nil {
            unvouched.append("purge plan \(id) is in the catalog but no governance record made it (a purge never relies on it)")
        }
        // IMAP access grants reading: the catalog must say exactly what the chain says, or an
        // auditor could log in, or see, what no signed record allows.
        for name in Set(chain.access.keys).union(cached.access.keys).sorted() {
            let mine = cached.access[name] ?? OperatorAccess(), theirs = chain.access[name] ?? OperatorAccess()
            if mine.passwordHash != theirs.passwordHash {
                differences.append("operator \(name)'s IMAP password differs between the catalog and the archive")
            }
            if mine.scope != theirs.scope {
                differences.append("operator \(name)'s scope differs (catalog: \(mine.scope?.summary ?? "none"); "
                                   + "archive: \(theirs.scope?.summary ?? "none"))")
            }
            if mine.searches != theirs.searches {
                differences.append("operator \(name)'s saved searches differ (catalog: "
                                   + "\(mine.searches.keys.sorted().joined(separator: ", ")); archive: "
                                   + "\(theirs.searches.keys.sorted().joined(separator: ", ")))")
            }
        }
        if chain.protection != cached.protection {
            differences.append("protection settings differ (catalog: \(cached.protection); archive: \(chain.protection))")
        }
        return (differences, unvouched)
    }

    /// Recovery: when governance records were journaled since the last checkpoint and the catalog's
    /// cache differs from the chain (a crash came between journaling an action and caching it),
    /// the cache is made to say what the chain says, as `reindex` does. Returns how many
    /// differences it mended; each is logged, and all of them audited.
    func cacheJournaledGovernance() async throws -> Int {
        let chain = try await foldGovernance()
        let (differences, _) = Self.compare(chain: chain, cached: try await cachedGovernanceState())
        guard !differences.isEmpty else { return 0 }
        try await catalog.governance.rebuildGovernance(from: chain)
        if let change = chain.protectionChange, let location = chain.protectionRecord {
            try await catalog.governance.setProtection(change, record: location)
        }
        for difference in differences {
            logger.notice("recovery: governance cache mended from the archive", metadata: ["difference": "\(difference)"])
        }
        // Mending also undoes a hand edit of the cache, so what was mended is audited, not only logged.
        try await audit("governance mended", differences.joined(separator: "; "), count: differences.count,
                        by: .system("recovery"))
        return differences.count
    }

    /// Before a purge: the state it relies on (holds, locks, plans, protection) must be what the
    /// archive's governance records say; otherwise nothing is purged and the difference is named.
    func requireGovernanceMatchesArchive(by actor: AuditActor) async throws -> GovernanceState {
        let chain = try await foldGovernance()
        let (differences, _) = Self.compare(chain: chain, cached: try await cachedGovernanceState())
        guard differences.isEmpty else {
            try await audit("purge refused", "governance differs: " + differences.joined(separator: "; "), by: actor)
            throw GovernanceError.catalogDiffers(differences)
        }
        return chain
    }

    /// Restrictions compare like holds: one the chain placed must be in the catalog as the chain
    /// says (a missing or released row there would show restricted mail to its owners); one only
    /// the catalog has hides more, nothing vouches for it.
    static func compareRestrictions(chain: GovernanceState, cached: GovernanceState, differences: inout [String],
                                    unvouched: inout [String]) {
        func state(_ restriction: ProcessingRestriction) -> String { restriction.isActive ? "active" : "released" }
        for (name, restriction) in chain.restrictions.sorted(by: { $0.key < $1.key }) {
            guard let mine = cached.restrictions[name] else {
                differences.append("restriction \(name) (\(state(restriction))) is missing from the catalog")
                continue
            }
            if mine.query != restriction.query || mine.isActive != restriction.isActive {
                differences.append("restriction \(name) differs (catalog: \(state(mine)), query \(mine.query); "
                                   + "archive: \(state(restriction)), query \(restriction.query))")
            }
        }
        for name in cached.restrictions.keys.sorted() where chain.restrictions[name] == nil {
            unvouched.append("restriction \(name) is in the catalog but no governance record placed it")
        }
    }
}
