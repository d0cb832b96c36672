import MailMessage

/// The body transform of the `body` test (RFC 5173 §5).
public enum SieveBodyTransform: Sendable, Hashable {
    /// `:raw` (§5.1): the body as it is, transfer encodings and MIME structure untouched.
    case raw
    /// `:content` (§5.2): the decoded bodies of the parts whose type is in the list ("" any
    /// type, "text" any text/* type, "text/html" exactly that).
    case content([String])
    /// `:text` (§5.3, the default): the decoded text of every text/* part.
    case text
}

/// What the `body` test compares: one string per part, each matched on its own (RFC 5173 §5:
/// a key must be found within one part). Parts are the leaves of the MIME tree; the preamble
/// and epilogue of multiparts, which §5.2 offers as an option, are not searched. text/* parts
/// are charset-decoded; other parts are read as UTF-8 (invalid bytes become U+FFFD), so a
/// binary attachment can be searched for ASCII without failing.
enum SieveBodyExtractor {
    static func texts(of message: Message, transform: SieveBodyTransform) -> [String] {
        switch transform {
        case .raw:
            let start = min(message.header.range.upperBound, message.raw.count)
            return [String(decoding: message.raw[start...], as: UTF8.self)]
        case .text:
            return leaves(of: message).filter { $0.contentType.type == "text" }.map { decoded($0, in: message) }
        case .content(let types):
            return leaves(of: message).filter { part in types.contains { matches(part.contentType, $0) } }
                .map { decoded($0, in: message) }
        }
    }

    /// Parts that carry content of their own: not multiparts, and not the message/rfc822
    /// wrappers whose content is parsed into children.
    private static func leaves(of message: Message) -> [MIMEPart] {
        message.parts.filter { !$0.isMultipart && !$0.isEncapsulatedMessage }
    }

    private static func decoded(_ part: MIMEPart, in message: Message) -> String {
        part.text(in: message.raw) ?? String(decoding: part.decodedBody(in: message.raw), as: UTF8.self)
    }

    // content-type list: "" / type / type "/" subtype        ; RFC 5173 §5.2
    private static func matches(_ type: MediaType, _ wanted: String) -> Bool {
        let wanted = wanted.lowercased()
        if wanted.isEmpty { return true }
        if let slash = wanted.firstIndex(of: "/") {
            return type.type.lowercased() == wanted[..<slash] && type.subtype.lowercased() == wanted[wanted.index(after: slash)...]
        }
        return type.type.lowercased() == wanted
    }
}
