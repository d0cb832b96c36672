#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One remote recipient of one delivery, waiting in (or done with) the outbound queue, drained by
/// the `Delivery` module. The body stays in the archive; the row names it by SHA-256.
public struct QueuedMessage: Sendable, Hashable {
    public var id: Int64
    /// The delivery's envelope record, `"segment:offset"`.
    public var envelopeLocation: String
    public var sha256: String
    /// The reverse-path (RFC 5321 §4.1.1.2), "" for `<>`.
    public var mailFrom: String
    public var recipient: String
    /// `QueueStatus` raw values: "queued", "sending", "delivered", "failed".
    public var status: String
    public var attempts: Int
    public var nextAttempt: Date
    public var lastError: String?
    public var created: Date
    /// When the last attempt ended; nil before the first.
    public var lastAttempt: Date? = nil
    /// When the remote server took the message (its 250).
    public var deliveredAt: Date? = nil
    /// The host that gave the last answer (RFC 3464 §2.3.5 Remote-MTA).
    public var remoteMTA: String? = nil
    /// The RFC 3463 status of the last answer, e.g. "4.4.1" or "5.1.1".
    public var statusCode: String? = nil
    /// `BounceState` raw value, nil when no DSN is due.
    public var bounce: String? = nil

    /// The recipient's domain, lower-cased: what routing is decided by.
    public var recipientDomain: String {
        guard let at = recipient.lastIndex(of: "@") else { return "" }
        return recipient[recipient.index(after: at)...].lowercased()
    }

    public init(id: Int64, envelopeLocation: String, sha256: String, mailFrom: String, recipient: String, status: String, attempts: Int, nextAttempt: Date, lastError: String?, created: Date, lastAttempt: Date? = nil, deliveredAt: Date? = nil, remoteMTA: String? = nil, statusCode: String? = nil, bounce: String? = nil) {
        self.id = id
        self.envelopeLocation = envelopeLocation
        self.sha256 = sha256
        self.mailFrom = mailFrom
        self.recipient = recipient
        self.status = status
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastError = lastError
        self.created = created
        self.lastAttempt = lastAttempt
        self.deliveredAt = deliveredAt
        self.remoteMTA = remoteMTA
        self.statusCode = statusCode
        self.bounce = bounce
    }
}

/// The life of a queue row. The row is the truth: it becomes `delivered` only after the remote 250.
public enum QueueStatus: String, Sendable, CaseIterable {
    case queued, sending, delivered, failed
}

/// Whether a failed row owes its sender a delivery status notification (RFC 3464).
public enum BounceState: String, Sendable {
    case pending, sent
    /// The message came from the null reverse-path: never a bounce to a bounce (RFC 5321 §4.5.5).
    case suppressed
    /// The administrator removed the row without a DSN.
    case deleted
}
