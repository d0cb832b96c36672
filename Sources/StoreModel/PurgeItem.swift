#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a purge does to users' mailboxes.
public enum PurgeScope: String, Sendable, Hashable, Codable {
    /// The policy action `purge`: the message leaves the archive and every mailbox.
    case archiveAndMailboxes
    /// The policy action `purge-archive`: the message leaves the archive; users keep their copies.
    case archiveOnly
}

/// One message to purge, and why: in a purge request, a purge plan, the catalog's purge row and
/// the archive's purge record alike (JSON: `{"expiredAt"?, "policy", "scope", "sha256"}`).
public struct PurgeItem: Sendable, Hashable, Codable {
    /// The message: its SHA-256, `SearchHit.id`.
    public var sha256: String
    /// The retention policy that made it due.
    public var policy: String
    public var scope: PurgeScope
    /// When its retention period ended (in plans and reports; nil where not known).
    public var expiredAt: Date?

    public init(sha256: String, policy: String, scope: PurgeScope, expiredAt: Date? = nil) {
        self.sha256 = sha256
        self.policy = policy
        self.scope = scope
        self.expiredAt = expiredAt
    }
}
