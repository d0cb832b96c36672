#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One placement a delivery asks for: a mailbox of a local user, with IMAP flags.
public struct Filing: Sendable, Hashable {
    /// The mailbox name as stored ("INBOX", "Lists/swift").
    public var mailbox: String
    /// IMAP flags (RFC 3501 §2.3.2) stored with the placement, e.g. `\Seen`, `$label1`.
    public var flags: [String]
    /// Create the mailbox (fresh UIDVALIDITY) if it does not exist (RFC 5490 §3 `:create`);
    /// without it a missing mailbox means INBOX instead (`RoutingResult.fallbacks`).
    public var create: Bool

    public init(mailbox: String, flags: [String] = [], create: Bool = false) {
        self.mailbox = mailbox
        self.flags = flags
        self.create = create
    }

    public static let inbox = Filing(mailbox: "INBOX")
}

/// A message placed into a user's mailbox.
public struct Placement: Sendable, Hashable {
    public var user: String
    public var mailbox: String
    public var uid: UInt32
    public var uidValidity: UInt32
    public var flags: [String]

    public init(user: String, mailbox: String, uid: UInt32, uidValidity: UInt32, flags: [String] = []) {
        self.user = user
        self.mailbox = mailbox
        self.uid = uid
        self.uidValidity = uidValidity
        self.flags = flags
    }
}
