#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a message's received time — the instant retention counts from — was read. Tresor's
/// own acceptance time for mail it received; for imported mail the best trace the message carries,
/// never a date the sender wrote when anything better exists.
public enum ReceivedTimeSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// When Tresor accepted it (SMTP, submission, IMAP APPEND).
    case archive
    /// The date of the topmost `Received:` field (RFC 5321 §4.4: the last hop's own clock).
    case receivedField = "received-field"
    /// The mbox `From ` separator line (RFC 4155: the time the message was written to the mbox).
    case mboxSeparator = "mbox-separator"
    /// The Maildir file name's leading timestamp (the time the message was delivered into it).
    case maildirName = "maildir-name"
    /// The `Date:` field, when nothing better was plausible.
    case dateField = "date-field"
    /// The import's own time, when no date in or around the message was plausible.
    case importTime = "import-time"
}

/// A date an import source knows about a message besides its bytes.
public enum ReceivedTimeHint: Sendable, Hashable {
    /// From the mbox `From ` line that preceded it.
    case mboxSeparator(Date)
    /// From the Maildir file name.
    case maildirName(Date)
}

/// What a locked retention policy promised a message when it arrived: nothing purges it before
/// `until`, whatever the policy files, the catalog or `--as-of` say later. Stamped into the
/// message's envelope record, in the same group commit as the message.
public struct RetentionFloor: Sendable, Hashable, Codable {
    /// The locked policy's name.
    public var policy: String
    /// Hex SHA-256 of the policy's canonical text (name, match, retain, count_from, action).
    public var policyHash: String
    /// The end of the retention period it guarantees.
    public var until: Date

    public init(policy: String, policyHash: String, until: Date) {
        self.policy = policy
        self.policyHash = policyHash
        self.until = until
    }
}

/// The floors one locked policy version stamped, as `tresor retention list` prints them.
public struct RetentionFloorSummary: Sendable, Hashable, Codable {
    public var policy: String
    public var policyHash: String
    public var messages: Int
    public var earliest: Date
    public var latest: Date

    public init(policy: String, policyHash: String, messages: Int, earliest: Date, latest: Date) {
        self.policy = policy
        self.policyHash = policyHash
        self.messages = messages
        self.earliest = earliest
        self.latest = latest
    }
}
