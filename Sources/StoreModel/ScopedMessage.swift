#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message of the archive as an auditor's read-only view lists it.
public struct ScopedMessage: Sendable, Hashable {
    /// The catalog's message row id: ascends with archive order, never reused while the catalog
    /// stands (the view's UID).
    public var id: Int64
    /// Lower-case hex SHA-256.
    public var sha256: String
    /// When the message was first archived.
    public var archivedAt: Date
    /// Octets with CRLF line ends, when a placement has recorded them; nil otherwise.
    public var transmittedSize: Int?

    public init(id: Int64, sha256: String, archivedAt: Date, transmittedSize: Int?) {
        self.id = id
        self.sha256 = sha256
        self.archivedAt = archivedAt
        self.transmittedSize = transmittedSize
    }
}
