#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The settings that protect data from early deletion. They live with the data (journaled in the
/// archive, cached in the catalog), not in a configuration file a command happens to read, so every
/// command run from any folder sees the same: `tresor.toml` may raise them, lowering them takes a
/// second person's approval.
public struct ProtectionSettings: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Purges need a plan that a different person approves (four eyes).
    public var requireApproval: Bool
    /// `tresor serve` runs retention by itself each day (under `requireApproval` it only writes plans).
    public var autoPurge: Bool
    /// Reading message content at the command line (`show --raw|--text|--attachments`, `export`)
    /// takes an operator's key, and the audit entry of the read is signed with it: every content
    /// read names a person who proved who they are, not an OS account anyone with root can use.
    public var requireOperator: Bool

    public init(requireApproval: Bool = false, autoPurge: Bool = false, requireOperator: Bool = false) {
        self.requireApproval = requireApproval
        self.autoPurge = autoPurge
        self.requireOperator = requireOperator
    }

    /// Whether going from these settings to `new` lowers protection: switching approval or the
    /// operator requirement off.
    public func isLowered(by new: ProtectionSettings) -> Bool {
        (requireApproval && !new.requireApproval) || (requireOperator && !new.requireOperator)
    }

    public var description: String {
        "require_approval = \(requireApproval), auto_purge = \(autoPurge), require_operator = \(requireOperator)"
    }

    private enum CodingKeys: String, CodingKey { case requireApproval, autoPurge, requireOperator }

    /// Records journaled before `requireOperator` existed lack it: off.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requireApproval = try container.decode(Bool.self, forKey: .requireApproval)
        autoPurge = try container.decode(Bool.self, forKey: .autoPurge)
        requireOperator = try container.decodeIfPresent(Bool.self, forKey: .requireOperator) ?? false
    }
}

/// One change of the protection settings, as a governance record carries it and the catalog
/// caches it.
public struct ProtectionChange: Sendable, Hashable, Codable {
    public var settings: ProtectionSettings
    public var by: String
    public var at: Date
    /// Where the change came from: "tresor.toml", "command", or "proposal" (with its id).
    public var reason: String
    /// For a lowering: the proposal's id and who approved it.
    public var proposal: String?
    public var approvedBy: String?

    public init(settings: ProtectionSettings, by: String, at: Date, reason: String, proposal: String? = nil,
                approvedBy: String? = nil) {
        self.settings = settings
        self.by = by
        self.at = at
        self.reason = reason
        self.proposal = proposal
        self.approvedBy = approvedBy
    }
}

/// A proposal to lower the protection settings, waiting for a different person's approval.
public struct ProtectionProposal: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable { case pending, approved, withdrawn }
    public var id: String
    /// The settings when it was proposed, and what it proposes.
    public var from: ProtectionSettings
    public var settings: ProtectionSettings
    public var createdBy: String
    public var createdAt: Date
    public var status: Status
    public var decidedBy: String?
    public var decidedAt: Date?

    public init(id: String, from: ProtectionSettings, settings: ProtectionSettings, createdBy: String, createdAt: Date,
                status: Status = .pending, decidedBy: String? = nil, decidedAt: Date? = nil) {
        self.id = id
        self.from = from
        self.settings = settings
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.status = status
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

/// Why a protection change was refused.
public enum ProtectionError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownProposal(String)
    case notPending(String, ProtectionProposal.Status)
    case sameActor(proposal: String, actor: String)
    /// The settings changed since the proposal was made.
    case outdated(proposal: String, then: ProtectionSettings, now: ProtectionSettings)
    /// A purge without an approved plan while approval is required.
    case approvalRequired

    public var description: String {
        switch self {
        case .unknownProposal(let id): "no protection proposal \(id)"
        case .notPending(let id, let status): "protection proposal \(id) is \(status.rawValue), not pending"
        case .sameActor(let id, let actor):
            "protection proposal \(id) was made by \(actor): a different person must approve it"
        case .outdated(let id, let then, let now):
            "protection proposal \(id) was made when the settings were \(then); they are now \(now)"
        case .approvalRequired:
            "this data directory requires approval for purges (require_approval): write a plan with "
                + "`tresor retention apply` and have a different person approve it"
        }
    }
}
