import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The protection settings of the data directory. Each change is journaled first (a governance
/// event in the hash chain, so `reindex` restores it and `verify` compares the catalog with it),
/// then cached in the catalog and audited. Raising protection takes effect at once; lowering it
/// (switching approval off) is a proposal that a different person approves.
extension ComplianceService {
    /// The settings in force: both off when never set.
    public func protection() async throws(ComplianceError) -> ProtectionSettings {
        try await catching { try await currentProtection() }
    }

    func currentProtection() async throws -> ProtectionSettings {
        try await catalog.governance.protection()?.settings ?? ProtectionSettings()
    }

    /// What `tresor.toml` asks for, applied: approval and the operator requirement are switched on
    /// when asked (never off: the returned note says how), `auto_purge` follows the file. Journaled when anything changes.
    public func adoptConfiguredProtection(_ configured: ProtectionSettings, by signer: GovernanceSigner)
        async throws(ComplianceError) -> (settings: ProtectionSettings, note: String?)
    {
        try await catching {
            let current = try await currentProtection()
            let adopted = ProtectionSettings(requireApproval: current.requireApproval || configured.requireApproval,
                                             autoPurge: configured.autoPurge,
                                             requireOperator: current.requireOperator || configured.requireOperator)
            if adopted != current {
                try await journalProtection(ProtectionChange(settings: adopted, by: signer.foldName, at: clock.now(),
                                                             reason: "tresor.toml"), by: signer)
            }
            var notes: [String] = []
            if current.requireApproval && !configured.requireApproval {
                notes.append("the data directory requires approval for purges although the configuration says "
                    + "require_approval = false; switching it off needs `tresor retention protection "
                    + "--require-approval off` and a different person's approval")
            }
            if current.requireOperator && !configured.requireOperator {
                notes.append("the data directory requires an operator's key for content reads although the "
                    + "configuration says require_operator = false; switching it off needs `tresor retention "
                    + "protection --require-operator off` and a different person's approval")
            }
            let note = notes.isEmpty ? nil : notes.joined(separator: "; ")
            return (adopted, note)
        }
    }

    /// Changes the settings at once when that does not lower protection; else writes a proposal
    /// (returned) for a different person to approve with `approveProtection`.
    public func changeProtection(to new: ProtectionSettings, by signer: GovernanceSigner) async throws(ComplianceError)
        -> ProtectionProposal?
    {
        try await catching {
            let current = try await currentProtection()
            guard new != current else { return nil }
            guard current.isLowered(by: new) else {
                try await journalProtection(ProtectionChange(settings: new, by: signer.foldName, at: clock.now(),
                                                             reason: "command"), by: signer)
                return nil
            }
            let now = clock.now()
            let proposal = ProtectionProposal(id: Self.proposalID(at: now), from: current, settings: new,
                                              createdBy: signer.foldName, createdAt: now)
            let (_, location) = try await journalGovernance(.protectionProposed(proposal), by: signer)
            try await catalog.governance.saveProtectionProposal(proposal)
            try await audit("protection proposal", "proposal \(proposal.id): \(current) → \(new); record \(location)",
                            by: signer.actor)
            return proposal
        }
    }

    /// Carries out a pending proposal for `actor`, who must not be its maker, while the settings are
    /// still what they were when it was made. Refusals are audited.
    public func approveProtection(proposal id: String, by signer: GovernanceSigner) async throws(ComplianceError)
        -> ProtectionSettings
    {
        try await catching {
            guard let proposal = try await catalog.governance.protectionProposal(id: id) else {
                throw ProtectionError.unknownProposal(id)
            }
            guard proposal.status == .pending else { throw ProtectionError.notPending(id, proposal.status) }
            guard proposal.createdBy != signer.foldName else {
                try await audit("protection approve refused", "proposal \(id): made with the same key", by: signer.actor)
                throw ProtectionError.sameActor(proposal: id, actor: proposal.createdBy)
            }
            let current = try await currentProtection()
            guard current == proposal.from else {
                throw ProtectionError.outdated(proposal: id, then: proposal.from, now: current)
            }
            try await journalProtection(ProtectionChange(settings: proposal.settings, by: proposal.createdBy,
                                                         at: clock.now(), reason: "proposal", proposal: id,
                                                         approvedBy: signer.foldName), by: signer)
            return proposal.settings
        }
    }

    /// Every proposal, oldest first.
    public func protectionProposals() async throws(ComplianceError) -> [ProtectionProposal] {
        try await catching { try await catalog.governance.protectionProposals() }
    }

    /// Journal (a governance record), then cache, then audit.
    private func journalProtection(_ change: ProtectionChange, by signer: GovernanceSigner) async throws {
        let (_, location) = try await journalGovernance(.protectionChanged(change), by: signer)
        try await catalog.governance.setProtection(change, record: location)
        try await audit("protection", "\(change.settings) (\(change.reason)\(change.proposal.map { " \($0)" } ?? "")"
                            + "\(change.approvedBy.map { ", approved by \($0)" } ?? "")) record \(location)", by: signer.actor)
    }

    /// `protect-20261129-143012-3f9a`.
    static func proposalID(at time: Date) -> String {
        let stamp = Timestamp.string(time).filter(\.isNumber).prefix(14)
        let random = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "protect-\(stamp.prefix(8))-\(stamp.dropFirst(8))-" + String(repeating: "0", count: 4 - random.count) + random
    }
}
