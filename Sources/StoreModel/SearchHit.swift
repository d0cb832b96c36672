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
    /// The received time retention counts from (the latest of its deliveries').
    public var receivedAt: Date
    /// Where that received time was read.
    public var receivedFrom: ReceivedTimeSource
    /// How many deliveries (envelope records) the message has.
    public var deliveries: Int
    /// Where the query's words stand in the message, when the search was asked for snippets.
    public var snippet: SearchSnippet?

    public init(id: String, date: Date?, from: [String], to: [String], cc: [String], subject: String?, messageID: String?,
                size: Int, attachments: [String], direction: Direction, source: String, bodyLocation: RecordLocation,
                archivedAt: Date, receivedAt: Date? = nil, receivedFrom: ReceivedTimeSource = .archive, deliveries: Int) {
        self.id = id
        self.date = date
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.messageID = messageID
        self.size = size
        self.attachments = attachments
        self.direction = direction
        self.source = source
        self.bodyLocation = bodyLocation
        self.archivedAt = archivedAt
        self.receivedAt = receivedAt ?? archivedAt
        self.receivedFrom = receivedFrom
        self.deliveries = deliveries
    }
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

    public init(id: String, date: Date?, subject: String?, messageID: String?, from: [String], sender: [String], replyTo: [String], to: [String], cc: [String], bcc: [String], size: Int, hasAttachments: Bool, attachments: [String], bodyLocation: RecordLocation, archivedAt: Date, deliveries: [CatalogDelivery]) {
        self.id = id
        self.date = date
        self.subject = subject
        self.messageID = messageID
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.size = size
        self.hasAttachments = hasAttachments
        self.attachments = attachments
        self.bodyLocation = bodyLocation
        self.archivedAt = archivedAt
        self.deliveries = deliveries
    }
}

/// One delivery of a message: its envelope record.
public struct CatalogDelivery: Sendable, Codable, Hashable {
    public var envelopeLocation: RecordLocation
    public var envelope: Envelope

    public init(envelopeLocation: RecordLocation, envelope: Envelope) {
        self.envelopeLocation = envelopeLocation
        self.envelope = envelope
    }
}
