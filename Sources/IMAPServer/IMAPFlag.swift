/// A message flag. RFC 3501 §2.3.2, RFC 9051 §2.3.2.
// flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
// flag-keyword = atom ; flag-extension = "\" atom ; flag-perm = flag / "\*"
public enum IMAPFlag: Hashable, Sendable, CustomStringConvertible {
    case answered, flagged, deleted, seen, draft
    /// `\Recent` (RFC 3501 only): set by the server, never by STORE.
    case recent
    /// A keyword, as written by the client (keywords compare case-insensitively, §2.3.2).
    case keyword(String)
    /// A system flag this server does not know ("\" atom), kept as written.
    case `extension`(String)
    /// `\*` in PERMANENTFLAGS: new keywords may be created (RFC 3501 §7.1).
    case wildcard

    /// Parses the text of one flag; nil when it is not a flag.
    public init?(_ text: some Collection<UInt8>) {
        let bytes = Array(text)
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "\\") {
            let rest = bytes.dropFirst()
            if rest == [UInt8(ascii: "*")] {
                self = .wildcard
                return
            }
            guard !rest.isEmpty, rest.allSatisfy(IMAPGrammar.isAtomChar) else { return nil }
            switch IMAPGrammar.uppercased(rest) {
            case "ANSWERED": self = .answered
            case "FLAGGED": self = .flagged
            case "DELETED": self = .deleted
            case "SEEN": self = .seen
            case "DRAFT": self = .draft
            case "RECENT": self = .recent
            default: self = .extension("\\" + String(decoding: rest, as: UTF8.self))
            }
            return
        }
        guard bytes.allSatisfy(IMAPGrammar.isAtomChar) else { return nil }
        self = .keyword(String(decoding: bytes, as: UTF8.self))
    }

    public var description: String {
        switch self {
        case .answered: "\\Answered"
        case .flagged: "\\Flagged"
        case .deleted: "\\Deleted"
        case .seen: "\\Seen"
        case .draft: "\\Draft"
        case .recent: "\\Recent"
        case .keyword(let word): word
        case .extension(let name): name
        case .wildcard: "\\*"
        }
    }

    /// The five flags every mailbox supports (RFC 3501 §2.3.2, without \Recent).
    public static let system: [IMAPFlag] = [.answered, .flagged, .deleted, .seen, .draft]
}
