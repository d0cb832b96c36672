/// Where a delivery came from, as its envelope records it (and `source:` in queries matches).
/// Written as a lower-case word in the archive's envelope records; a word this version does not
/// know (from a later version, or an older spelling) is kept as `other`, never refused.
public enum MessageSource: Hashable, Sendable, Codable, CustomStringConvertible {
    /// SMTP on the MX listener (RFC 5321).
    case smtp
    /// SMTP submission by an authenticated user (RFC 6409), also over implicit TLS.
    case submission
    /// IMAP APPEND (RFC 3501 §6.3.11), or a draft that left the Drafts folder.
    case imap
    /// `tresor import` (mbox, Maildir, .eml).
    case `import`
    /// A rejection notice a user's Sieve script sent (RFC 5429 §2.1).
    case sieve
    /// A delivery status notification (RFC 3464) for a failed outbound message.
    case dsn
    /// A vacation or other automatic reply.
    case autoreply
    /// The server's daily witness of the archive's chain (`tresor anchor`), mailed to an outside address.
    case witness
    /// A user's copy of a delivery with the header fields that user's Sieve script added or
    /// deleted (RFC 5293 editheader): the copy in that user's mailboxes. The original
    /// delivery's envelope and bytes stay as received; this one is only indexed, never routed or
    /// filtered again (recovery routes the original, which journals the copy anew).
    case editedHeader
    case other(String)

    public init(_ word: String) {
        switch word.lowercased() {
        case "smtp": self = .smtp
        case "submission": self = .submission
        case "imap": self = .imap
        case "import": self = .import
        case "sieve": self = .sieve
        case "dsn": self = .dsn
        case "autoreply": self = .autoreply
        case "witness": self = .witness
        case "editheader": self = .editedHeader
        default: self = .other(word)
        }
    }

    public var description: String {
        switch self {
        case .smtp: "smtp"
        case .submission: "submission"
        case .imap: "imap"
        case .import: "import"
        case .sieve: "sieve"
        case .dsn: "dsn"
        case .autoreply: "autoreply"
        case .witness: "witness"
        case .editedHeader: "editheader"
        case .other(let word): word
        }
    }

    /// Whether deliveries of this source are routed to mailboxes and the outbound queue (and so
    /// recovered by routing them when the catalog lacks them).
    public var isRouted: Bool {
        switch self {
        case .smtp, .submission, .sieve, .dsn, .autoreply, .witness: true
        case .imap, .import, .editedHeader, .other: false
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
