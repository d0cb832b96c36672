/// Text of a message for the full-text index and IMAP SEARCH BODY/TEXT.
extension Message {
    /// The text of every text-bearing part, at most `limit` UTF-8 bytes (cut at a character
    /// boundary). The one extraction behind both the full-text index and IMAP SEARCH BODY/TEXT:
    /// - text/* of any subtype (plain, enriched, csv, calendar, rfc822-headers, x-…), transfer- and
    ///   charset-decoded, attachments included;
    /// - text/html turned into text (`HTMLText`), but inside multipart/alternative only when no
    ///   alternative offers text/plain (RFC 2046 §5.1.4: the alternatives carry the same content);
    /// - encapsulated messages (message/rfc822, message/global: RFC 2046 §5.2.1, RFC 6532 §3.5)
    ///   contribute every header field as "Name: value" (RFC 2047 words decoded), then their own
    ///   text parts, recursively;
    /// - every other message/* part (delivery-status RFC 3464, disposition-notification RFC 8098,
    ///   feedback-report RFC 5965, their RFC 6533 global forms, and a message/rfc822 left unparsed
    ///   by an encoding or the nesting limit) is read as text: these bodies are header-like fields
    ///   that people read, and IMAP servers such as Dovecot search every message/* body as text;
    /// - a multipart whose structure could not be found contributes nothing but its children.
    /// Parts are separated by an empty line. `nestedHeaders: false` leaves out the header fields of
    /// encapsulated messages (their text parts stay): IMAP SEARCH BODY, which Dovecot answers from
    /// part bodies only, skipping every header block, nested ones included.
    public func plainText(limit: Int = 1 << 20, nestedHeaders: Bool = true) -> String {
        var collector = TextCollector(raw: raw, limit: max(0, limit), nestedHeaders: nestedHeaders)
        collector.visit(root)
        return collector.result()
    }
}

/// Walks the tree and gathers text until the limit is reached.
struct TextCollector {
    let raw: [UInt8]
    let limit: Int
    /// Whether encapsulated messages give their header fields.
    let nestedHeaders: Bool
    var pieces: [String] = []
    var size = 0

    var isFull: Bool { size >= limit }

    mutating func add(_ text: String) {
        guard !text.isEmpty, !isFull else { return }
        pieces.append(text)
        size += text.utf8.count + 2
    }

    mutating func visit(_ part: MIMEPart) {
        guard !isFull else { return }
        let type = part.contentType
        if type.type == "multipart" {
            if type.subtype == "alternative", let chosen = TextCollector.preferredAlternative(part.children) {
                visit(chosen)
            } else {
                for child in part.children { visit(child) }
            }
            return
        }
        if let inner = part.children.first, let header = part.encapsulatedHeader {
            if nestedHeaders { add(fieldLines(header)) }
            visit(inner)
            return
        }
        switch type.type {
        case "text":
            guard let text = part.text(in: raw) else { return }
            add(type.subtype == "html" ? HTMLText.extract(text) : text)
        case "message":
            // Declared charset if any; otherwise UTF-8 (RFC 6533's global forms), else Windows-1252.
            add(Charsets.decodeLossy(part.decodedBody(in: raw), charset: type.parameters["charset"]))
        default:
            return
        }
    }

    /// A header's fields as "Name: value" lines, values unfolded with RFC 2047 words decoded.
    func fieldLines(_ header: HeaderSection) -> String {
        header.fields.map { field in
            field.name + ": " + EncodedWords.decode(field.unfoldedValue(in: raw))
        }.joined(separator: "\n")
    }

    /// In multipart/alternative: the first alternative that holds text/plain, else the first
    /// that holds any text; nil (visit all) when none does.
    static func preferredAlternative(_ children: [MIMEPart]) -> MIMEPart? {
        children.first { holdsText($0, subtype: "plain") } ?? children.first { holdsText($0, subtype: nil) }
    }

    static func holdsText(_ part: MIMEPart, subtype: String?) -> Bool {
        if part.contentType.type == "text" {
            return subtype == nil || part.contentType.subtype == subtype
        }
        if part.contentType.type == "multipart", let first = part.children.first {
            // multipart/related and /mixed show their first part as the main body (RFC 2387 §3.1).
            return holdsText(first, subtype: subtype)
        }
        return false
    }

    func result() -> String {
        let joined = pieces.joined(separator: "\n\n")
        guard joined.utf8.count > limit else { return joined }
        let utf8 = joined.utf8
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        // Back up to the start of a Unicode scalar (UTF-8 continuation bytes are 10xxxxxx).
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(joined[..<end])
    }
}
