#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A purge plan awaiting a second person's approval (schema "v6" `purge_plan`).
public struct PurgePlanRecord: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        case pending, executed, expired
    }

    public var id: String
    public var createdBy: String
    public var createdAt: Date
    /// The instant the plan evaluated the policies at (`--as-of`, else its creation).
    public var asOf: Date
    /// `Catalog.retentionArchiveState()` when the plan was made.
    public var archiveState: String
    /// A digest of the policies the plan was made with.
    public var policyFingerprint: String
    public var status: Status
    public var decidedBy: String?
    public var decidedAt: Date?
    /// What the decision did, in words (the purge report, or why the plan expired).
    public var outcome: String?
    public var items: [PurgeItem]

    public init(id: String, createdBy: String, createdAt: Date, asOf: Date, archiveState: String,
                policyFingerprint: String, status: Status = .pending, decidedBy: String? = nil,
                decidedAt: Date? = nil, outcome: String? = nil, items: [PurgeItem]) {
        self.id = id
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.asOf = asOf
        self.archiveState = archiveState
        self.policyFingerprint = policyFingerprint
        self.status = status
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.outcome = outcome
        self.items = items
    }
}

/// Why a plan's decision could not be recorded.
public enum PurgePlanError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknown(String)
    case notPending(String, PurgePlanRecord.Status)

    public var description: String {
        switch self {
        case .unknown(let id): "no purge plan \(id)"
        case .notPending(let id, let status): "purge plan \(id) is \(status.rawValue), not pending"
        }
    }
}
