#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What retention needs of one message: its id and the two instants a period may count from.
public struct RetentionCandidate: Sendable, Hashable {
    /// Lower-case hex SHA-256 (`SearchHit.id`).
    public var sha256: String
    /// The Date header, nil when missing or invalid.
    public var date: Date?
    /// When the message was first archived.
    public var archivedAt: Date
    /// The latest received time of its deliveries (what `count_from = "received"` counts from).
    public var receivedAt: Date
    /// The latest retention floor a locked policy stamped on it at arrival: never purged before.
    public var floor: Date?

    public init(sha256: String, date: Date?, archivedAt: Date, receivedAt: Date? = nil, floor: Date? = nil) {
        self.sha256 = sha256
        self.date = date
        self.archivedAt = archivedAt
        self.receivedAt = receivedAt ?? archivedAt
        self.floor = floor
    }
}
