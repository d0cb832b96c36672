#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which way a message travelled through the server.
public enum Direction: String, Codable, Sendable {
    case inbound, outbound, `internal`, imported
}

/// What the archive keeps about one delivery besides the message bytes: the SMTP envelope
/// (RFC 5321 §3.3: reverse-path and forward-paths, which include Bcc recipients that the
/// header never shows) and where the message came from. One envelope record per delivery.
public struct Envelope: Codable, Sendable, Hashable {
    /// The reverse-path of MAIL FROM (RFC 5321 §4.1.1.2), "" for the null path `<>`.
    public var mailFrom: String
    /// The forward-paths of every RCPT TO (RFC 5321 §4.1.1.3), Bcc recipients included.
    public var recipients: [String]
    /// The received time: when Tresor accepted the message, or for an import the best trace the
    /// message carries (`receivedFrom` says which). Retention counts from it.
    public var receivedAt: Date
    /// Where `receivedAt` was read; nil in records written before this was kept (the archive time).
    public var receivedFrom: ReceivedTimeSource?
    /// When Tresor archived it, where that differs from `receivedAt` (imports); nil otherwise.
    public var archivedAt: Date?
    public var clientAddress: String?
    /// The domain given in HELO/EHLO (RFC 5321 §4.1.1.1).
    public var helo: String?
    /// The SASL identity (RFC 4954) of a submission client.
    public var authenticatedUser: String?
    public var direction: Direction
    /// How the message came in.
    public var source: MessageSource
    /// For example the file an import read, or the SMTP transaction id.
    public var sourceDetail: String?
    /// For an IMAP APPEND (and a draft leaving Drafts): the mailbox the user put it in, so that
    /// recovery places a journaled APPEND whose catalog transaction was lost exactly there, once.
    public var imapMailbox: String?
    /// The floors the locked retention policies that matched the message stamped at its arrival.
    public var retentionFloors: [RetentionFloor]?
    /// What a content filter at the SMTP door decided for the delivery's placement; nil when no
    /// filter ran or it let the message through as it is.
    public var filterPlacement: FilterPlacement?
    /// The sender authentication results this server found at the SMTP door, as sorted
    /// `method=result` pairs ("dkim=pass", "dmarc=fail", "spf=softfail"; RFC 8601 §2.7 names);
    /// nil when no checks ran. Kept here, in the journaled envelope, rather than read back from
    /// the message's Authentication-Results field: what a sender wrote there can never pass for ours.
    public var authenticationResults: [String]?

    public init(
        mailFrom: String = "", recipients: [String] = [], receivedAt: Date, clientAddress: String? = nil,
        helo: String? = nil, authenticatedUser: String? = nil, direction: Direction, source: MessageSource,
        sourceDetail: String? = nil, imapMailbox: String? = nil, receivedFrom: ReceivedTimeSource? = nil,
        archivedAt: Date? = nil, retentionFloors: [RetentionFloor]? = nil, filterPlacement: FilterPlacement? = nil
    ) {
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.receivedAt = receivedAt
        self.clientAddress = clientAddress
        self.helo = helo
        self.authenticatedUser = authenticatedUser
        self.direction = direction
        self.source = source
        self.sourceDetail = sourceDetail
        self.imapMailbox = imapMailbox
        self.receivedFrom = receivedFrom
        self.archivedAt = archivedAt
        self.retentionFloors = retentionFloors
        self.filterPlacement = filterPlacement
    }

    /// When Tresor archived the delivery.
    public var archiveTime: Date { archivedAt ?? receivedAt }
}

/// What callers get back once a delivery is durable.
public struct AppendReceipt: Sendable, Hashable {
    /// Lower-case hex SHA-256 of the raw message bytes.
    public var sha256: String
    /// The body record (written now, or earlier when `deduplicated`).
    public var body: RecordLocation
    /// This delivery's envelope record.
    public var envelope: RecordLocation
    /// True when the body was already stored and only the envelope was written.
    public var deduplicated: Bool
    /// Size of the raw message in bytes.
    public var size: Int

    public init(sha256: String, body: RecordLocation, envelope: RecordLocation, deduplicated: Bool, size: Int) {
        self.sha256 = sha256
        self.body = body
        self.envelope = envelope
        self.deduplicated = deduplicated
        self.size = size
    }
}
