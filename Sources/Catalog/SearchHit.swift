import ArchiveStore
import Foundation

/// One search result: a distinct message (body), with the direction and source of its first delivery.
public struct SearchHit: Sendable, Codable, Hashable {
    /// Lower-case hex SHA-256 of the raw message: the id `tresor show` takes.
    public var id: String
    /// The Date header, if any and valid.
    public var date: Date?
    /// Header addresses rendered as `Name <mailbox>` or `mailbox`.
    public var from: [String]
    public var to: [String]
    public var cc: [String]
    public var subject: String?
    /// Without angle brackets.
    public var messageID: String?
    /// Raw size in bytes.
    public var size: Int
    public var attachments: [String]
    /// Of the first delivery.
    public var direction: Direction
    /// Of the first delivery.
    public var source: String
    public var bodyLocation: RecordLocation
    /// When the first delivery was archived.
    public var archivedAt: Date
    /// How many deliveries (envelope records) the message has.
    public var deliveries: Int
}

/// Everything the catalog stores about one message, and each of its deliveries.
public struct CatalogMessage: Sendable, Codable, Hashable {
    public var id: String
    public var date: Date?
    public var subject: String?
    public var messageID: String?
    public var from: [String]
    public var sender: [String]
    public var replyTo: [String]
    public var to: [String]
    public var cc: [String]
    /// The Bcc header, if the archived copy has one (envelope-only recipients are in `deliveries`).
    public var bcc: [String]
    public var size: Int
    public var hasAttachments: Bool
    public var attachments: [String]
    public var bodyLocation: RecordLocation
    public var archivedAt: Date
    /// Oldest first.
    public var deliveries: [CatalogDelivery]
}

/// One delivery of a message: its envelope record.
public struct CatalogDelivery: Sendable, Codable, Hashable {
    public var envelopeLocation: RecordLocation
    public var envelope: Envelope
}
