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
    public var receivedAt: Date
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

    public init(
        mailFrom: String = "", recipients: [String] = [], receivedAt: Date, clientAddress: String? = nil,
        helo: String? = nil, authenticatedUser: String? = nil, direction: Direction, source: MessageSource,
        sourceDetail: String? = nil, imapMailbox: String? = nil
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
    }
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
