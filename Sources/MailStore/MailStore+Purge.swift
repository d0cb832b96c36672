// Contract for the retention issue's purge (replaced by its implementation in this change).

/// One message to purge, and why.
public struct PurgeItem: Sendable, Hashable {
    public enum Scope: String, Sendable, Hashable, Codable { case archiveAndMailboxes, archiveOnly }
    /// The message: its catalog row, `SearchHit.id`.
    public var sha256: String
    public var policy: String
    /// `purge` → `.archiveAndMailboxes`, `purge-archive` → `.archiveOnly`.
    public var scope: Scope
    public init(sha256: String, policy: String, scope: Scope) {
        self.sha256 = sha256
        self.policy = policy
        self.scope = scope
    }
}

/// What one purge removed.
public struct PurgeReport: Sendable, Hashable, Codable {
    public var messages = 0
    public var deliveries = 0
    public var placementsRemoved = 0
    public var bytesReclaimed: Int64 = 0
    public var segmentsRewritten = 0
    /// `"segment:offset"` of the journaled purge record.
    public var purgeRecord: String?
    public init() {}
}

public enum PurgeError: Error, Sendable {
    case notYetBuilt
}

extension MailStore {
    /// Purges the messages from the catalog, mailboxes (where the scope says) and archive.
    public func purge(_ items: [PurgeItem], actor: String, reason: String) async throws -> PurgeReport {
        throw PurgeError.notYetBuilt
    }
}
