#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a person needs to recognise a message in a list: its date, sender and subject, besides
/// the 64-hex id (retention dry runs, plans and purges print one per message).
public struct MessageHeadline: Sendable, Hashable, Codable {
    /// Lower-case hex SHA-256 of the raw message.
    public var id: String
    /// The Date header, if any and valid.
    public var date: Date?
    /// The received time retention counts from.
    public var receivedAt: Date
    /// The From header's addresses, rendered as `Name <mailbox>` or `mailbox`.
    public var from: [String]
    public var subject: String?

    public init(id: String, date: Date?, receivedAt: Date, from: [String], subject: String?) {
        self.id = id
        self.date = date
        self.receivedAt = receivedAt
        self.from = from
        self.subject = subject
    }
}
