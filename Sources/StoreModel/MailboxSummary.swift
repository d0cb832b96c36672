#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A mailbox (folder) as IMAP will see it.
public struct MailboxInfo: Sendable, Hashable {
    public var name: String
    /// RFC 3501 §2.3.1.1: with the name, identifies UIDs across sessions; a new value for every
    /// mailbox ever created, so a re-created mailbox never reuses an old one.
    public var uidValidity: UInt32
    /// The UID the next placed message gets (RFC 3501 §2.3.1.1: strictly ascending).
    public var uidNext: UInt32
    public var messages: Int
    /// RFC 6154 attribute, e.g. `\Sent`; nil for INBOX and ordinary folders.
    public var specialUse: String?
    public var subscribed: Bool

    public init(name: String, uidValidity: UInt32, uidNext: UInt32, messages: Int, specialUse: String?, subscribed: Bool) {
        self.name = name
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.messages = messages
        self.specialUse = specialUse
        self.subscribed = subscribed
    }
}

/// A message placed in a mailbox.
public struct MailboxMessage: Sendable, Hashable {
    public var uid: UInt32
    /// Names the body in the archive (lower-case hex).
    public var sha256: String
    public var size: Int
    /// IMAP flags (RFC 3501 §2.3.2), e.g. `\Seen`, system flags first; empty for new mail.
    public var flags: [String]
    /// RFC 3501 §2.3.3: when the message was received (the delivery's envelope time).
    public var internalDate: Date
    /// The delivery that placed it: its envelope record in the archive ("0:id" for a draft).
    public var envelopeLocation: String

    public init(uid: UInt32, sha256: String, size: Int, flags: [String], internalDate: Date, envelopeLocation: String) {
        self.uid = uid
        self.sha256 = sha256
        self.size = size
        self.flags = flags
        self.internalDate = internalDate
        self.envelopeLocation = envelopeLocation
    }
}
