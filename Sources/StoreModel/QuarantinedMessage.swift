#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An outgoing message a DLP rule holds: journaled in the archive (the record is complete) and
/// filed for its local recipients, but not handed to the outbound queue until a compliance
/// operator releases it; a rejected one is never sent and its sender is told.
public struct QuarantinedMessage: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case held, released, rejected
    }

    public var id: Int64
    public var heldAt: Date
    /// The archived message (its body record).
    public var sha256: String
    /// The delivery's envelope record.
    public var envelope: String
    public var mailFrom: String
    /// The recipients outside the local domains: where a release sends it.
    public var recipients: [String]
    public var subject: String
    /// The rules that held it, by name.
    public var rules: [String]
    public var status: Status
    public var decidedAt: Date?
    public var decidedBy: String?
    public var reason: String?

    public init(id: Int64 = 0, heldAt: Date, sha256: String, envelope: String, mailFrom: String, recipients: [String],
                subject: String, rules: [String], status: Status = .held, decidedAt: Date? = nil,
                decidedBy: String? = nil, reason: String? = nil) {
        self.id = id
        self.heldAt = heldAt
        self.sha256 = sha256
        self.envelope = envelope
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.subject = subject
        self.rules = rules
        self.status = status
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.reason = reason
    }
}
