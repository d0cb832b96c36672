/// One header field of a message as DKIM sees it: the name and everything after the colon up to
/// (not including) the line break ending the field, continuation lines included (RFC 5322 §2.2).
struct DKIMHeaderField: Sendable, Hashable {
    var name: [UInt8]
    var value: [UInt8]

    /// The lower-cased name, for matching against `h=` (header names are case-insensitive,
    /// RFC 6376 §3.5 h= tag).
    var lowercasedName: [UInt8] { name.map(DNSName.lowercased) }
}

/// A message split into header fields and body (RFC 5322 §2.1): fields up to the first empty
/// line, the body after it. Line ends are CRLF; a bare LF is read as a line end too, as RFC 6376
/// §5.3 has the signer convert to CRLF first. An mbox "From " line before the first field, and
/// any other line that is neither a field nor a continuation, is not a field and is skipped.
struct DKIMMessageParts {
    var fields: [DKIMHeaderField] = []
    /// Offset in the message where the body starts (past the empty line), or the end.
    var bodyStart: Int

    init(_ message: [UInt8]) {
        var fields: [DKIMHeaderField] = []
        var position = 0
        var current: DKIMHeaderField?
        var bodyStart = message.count
        while position < message.count {
            let lineEnd = message[position...].firstIndex(of: UInt8(ascii: "\n")) ?? message.count
            var contentEnd = lineEnd
            if contentEnd > position, message[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            let next = min(lineEnd + 1, message.count)
            if contentEnd == position {  // the empty line: the body follows
                bodyStart = next
                break
            }
            let line = message[position..<contentEnd]
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                current?.value.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
                current?.value.append(contentsOf: line)
            } else {
                if let field = current { fields.append(field) }
                current = nil
                if let colon = line.firstIndex(of: UInt8(ascii: ":")), Self.isFieldName(line[..<colon]) {
                    current = DKIMHeaderField(name: Array(line[..<colon]), value: Array(line[(colon + 1)...]))
                }
            }
            position = next
        }
        if let field = current { fields.append(field) }
        self.fields = fields
        self.bodyStart = bodyStart
    }

    /// RFC 5322 §3.6.8 field-name: printable US-ASCII but ":", here followed by optional WSP
    /// (the obsolete "Subject : x" of §4.5). "From sender date" of an mbox is not one.
    static func isFieldName(_ bytes: ArraySlice<UInt8>) -> Bool {
        var name = bytes
        while let last = name.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { name.removeLast() }
        return !name.isEmpty && name.allSatisfy { (33...126).contains($0) }
    }
}
