/// A FETCH data item. RFC 3501 §6.4.5, RFC 9051 §6.4.5, RFC 7162 §3.1.4 (MODSEQ).
public enum IMAPFetchAttribute: Hashable, Sendable {
    case envelope
    case flags
    case internalDate
    case rfc822
    case rfc822Header
    case rfc822Size
    case rfc822Text
    /// BODY without a section: the non-extensible BODYSTRUCTURE.
    case body
    case bodyStructure
    case uid
    /// RFC 7162 §3.1.4.
    case modSeq
    /// BODY[section]<partial> and BODY.PEEK[…]; `peek` leaves \Seen alone.
    case bodySection(IMAPSection, partial: IMAPPartial?, peek: Bool)
    /// BINARY[part]<partial> and BINARY.PEEK (RFC 3516 §4.1, RFC 9051): decoded content.
    case binary(part: [Int], partial: IMAPPartial?, peek: Bool)
    /// BINARY.SIZE[part] (RFC 3516 §4.1).
    case binarySize(part: [Int])

    /// ALL: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE (RFC 3501 §6.4.5).
    public static let all: [IMAPFetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    /// FAST: FLAGS INTERNALDATE RFC822.SIZE.
    public static let fast: [IMAPFetchAttribute] = [.flags, .internalDate, .rfc822Size]
    /// FULL: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.
    public static let full: [IMAPFetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]

    /// Whether fetching this item sets \Seen (RFC 3501 §6.4.5: BODY[…] and RFC822 do,
    /// BODY.PEEK, RFC822.HEADER and BINARY.PEEK do not).
    public var setsSeen: Bool {
        switch self {
        case .rfc822, .rfc822Text: true
        case .bodySection(_, _, let peek), .binary(_, _, let peek): !peek
        default: false
        }
    }
}

/// `section-spec` (RFC 3501 §9): a part path and what of it.
// section-spec = section-msgtext / (section-part ["." section-text])
// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
// section-text = section-msgtext / "MIME"
public struct IMAPSection: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The whole part (BODY[] or BODY[1.2]).
        case complete
        case header
        /// HEADER.FIELDS (names): names as sent, matched case-insensitively.
        case headerFields([String])
        case headerFieldsNot([String])
        case text
        /// The MIME header of a part; only with a part number.
        case mime
    }

    /// The part numbers, empty for the message itself.
    public var part: [Int]
    public var kind: Kind

    public init(part: [Int] = [], kind: Kind = .complete) {
        self.part = part
        self.kind = kind
    }

    /// The section as written in the response, e.g. `1.2.HEADER.FIELDS (From To)`.
    public var description: String {
        var text = part.map(String.init).joined(separator: ".")
        let suffix: String
        switch kind {
        case .complete: suffix = ""
        case .header: suffix = "HEADER"
        case .headerFields(let names): suffix = "HEADER.FIELDS (\(names.joined(separator: " ")))"
        case .headerFieldsNot(let names): suffix = "HEADER.FIELDS.NOT (\(names.joined(separator: " ")))"
        case .text: suffix = "TEXT"
        case .mime: suffix = "MIME"
        }
        if !text.isEmpty, !suffix.isEmpty { text += "." }
        return text + suffix
    }
}

/// `partial = "<" number "." nz-number ">"` (RFC 3501 §9): an octet range of the section.
public struct IMAPPartial: Hashable, Sendable {
    public var offset: UInt32
    public var length: UInt32

    public init(offset: UInt32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}
