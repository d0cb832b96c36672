/// Text of a message for the full-text index.
extension Message {
    /// The text to index, at most `limit` UTF-8 bytes (cut at a character boundary):
    /// - text/plain and other text/* parts, transfer- and charset-decoded, attachments included;
    /// - text/html turned into text (`HTMLText`), but inside multipart/alternative only when no
    ///   alternative offers text/plain (RFC 2046 §5.1.4: the alternatives carry the same content);
    /// - encapsulated messages (message/rfc822) contribute their subject and their text;
    /// - a multipart whose structure could not be found contributes nothing but its children.
    /// Parts are separated by an empty line.
    public func plainText(limit: Int = 1 << 20) -> String {
        var collector = TextCollector(raw: raw, limit: max(0, limit))
        collector.visit(root)
        return collector.result()
    }
}

/// Walks the tree and gathers text until the limit is reached.
struct TextCollector {
    let raw: [UInt8]
    let limit: Int
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
            if let subject = header.first(named: "Subject") { add(EncodedWords.decode(subject)) }
            visit(inner)
            return
        }
        guard type.type == "text" else { return }
        guard let text = part.text(in: raw) else { return }
        add(type.subtype == "html" ? HTMLText.extract(text) : text)
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
