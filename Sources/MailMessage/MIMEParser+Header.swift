extension MIMEParser {
    /// Parses a header section starting at `start` (RFC 5322 §2.2, §3.5; RFC 2045 §3 for parts).
    ///
    /// - A field is `name ":" value`; the name is printable ASCII without ":" (RFC 5322 §3.6.8),
    ///   white space before the colon is tolerated (obsolete syntax, RFC 5322 §4.5).
    /// - A line starting with white space continues the previous field (folding, §2.2.3).
    /// - An empty line ends the header; the body follows it (§2.1). A header may also end at the
    ///   limit (no body) or at a delimiter line of an enclosing multipart.
    /// - A line that is not a field: if the next line is a field or the empty line, it is an
    ///   invalid header line and skipped (a broken fold, a stray mbox ">From " line); otherwise,
    ///   or if it starts with "--", the header is taken to have ended without its empty line,
    ///   and this line is the first of the body.
    ///
    /// Returns the section and the offset where the body starts.
    mutating func parseHeader(from start: Int, limit: Int) -> (HeaderSection, bodyStart: Int) {
        var fields: [HeaderField] = []
        var open: (start: Int, nameEnd: Int, colon: Int)?
        var p = start
        var bodyStart = limit

        func close(_ open: (start: Int, nameEnd: Int, colon: Int)?, at end: Int, into fields: inout [HeaderField]) {
            guard let open else { return }
            let valueEnd = LineScan.beforePrecedingLineBreak(bytes, lineStart: end, floor: open.colon + 1)
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[open.start..<open.nameEnd]), as: UTF8.self)
            fields.append(HeaderField(name: name, range: open.start..<end, valueRange: open.colon + 1..<valueEnd))
        }

        while p < limit {
            let lineEnd = LineScan.lineEnd(bytes, from: p, limit: limit)
            let contentEnd = LineScan.contentEnd(bytes, lineStart: p, lineEnd: lineEnd)
            if contentEnd == p {
                close(open, at: p, into: &fields)
                open = nil
                bodyStart = lineEnd
                return (HeaderSection(fields: fields, range: start..<bodyStart, raw: raw), bodyStart)
            }
            let first = bytes[p]
            if LineScan.isWhitespace(first) {
                if open == nil { problem(.continuationWithoutField, at: p) }
                p = lineEnd
                continue
            }
            if first == LineScan.hyphen, delimiter(at: p, limit: limit) != nil {
                close(open, at: p, into: &fields)
                return (HeaderSection(fields: fields, range: start..<p, raw: raw), p)
            }
            if let colon = fieldColon(lineStart: p, contentEnd: contentEnd) {
                close(open, at: p, into: &fields)
                open = (p, colon.nameEnd, colon.colon)
                p = lineEnd
                continue
            }
            close(open, at: p, into: &fields)
            open = nil
            // A line starting with "--" is most likely a boundary whose part lacks the empty
            // line: let it start the body rather than skip it.
            if first != LineScan.hyphen, lineEnd < limit, isFieldOrEmptyLine(at: lineEnd, limit: limit) {
                problem(.invalidHeaderLine, at: p)
                p = lineEnd
                continue
            }
            problem(.missingHeaderSeparator, at: p)
            return (HeaderSection(fields: fields, range: start..<p, raw: raw), p)
        }
        close(open, at: limit, into: &fields)
        return (HeaderSection(fields: fields, range: start..<limit, raw: raw), bodyStart)
    }

    /// The end of the field name and the colon's index, if the line starts a field.
    /// field-name = 1*ftext; ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8).
    func fieldColon(lineStart: Int, contentEnd: Int) -> (nameEnd: Int, colon: Int)? {
        var i = lineStart
        while i < contentEnd {
            let byte = bytes[i]
            guard byte > 0x20, byte < 0x7F, byte != LineScan.colon else { break }
            i += 1
        }
        let nameEnd = i
        guard nameEnd > lineStart else { return nil }
        while i < contentEnd, LineScan.isWhitespace(bytes[i]) { i += 1 }
        guard i < contentEnd, bytes[i] == LineScan.colon else { return nil }
        return (nameEnd, i)
    }

    /// Whether the line at `lineStart` starts a field or is the empty line ending the header.
    func isFieldOrEmptyLine(at lineStart: Int, limit: Int) -> Bool {
        let lineEnd = LineScan.lineEnd(bytes, from: lineStart, limit: limit)
        let contentEnd = LineScan.contentEnd(bytes, lineStart: lineStart, lineEnd: lineEnd)
        return contentEnd == lineStart || fieldColon(lineStart: lineStart, contentEnd: contentEnd) != nil
    }
}
