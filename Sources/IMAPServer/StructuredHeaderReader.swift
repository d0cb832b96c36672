/// A cursor over one raw structured header value (RFC 5322 §3.2 lexical tokens, RFC 2045 §5.1
/// MIME tokens), as ENVELOPE and BODYSTRUCTURE need it: nothing is decoded beyond quoting,
/// because IMAP returns header text as written (RFC 3501 §7.4.2 leaves RFC 2047 words encoded).
///
/// Every read reports how it ended, so that callers can recover from broken headers the way
/// Dovecot does (and so answer with the same structures for the same bytes):
/// `.failed` (the input does not fit the production), `.atEnd` (it fit and nothing follows),
/// `.more` (it fit and more input follows). White space and comments after a token are
/// skipped by the read; the text of the last comment skipped is kept in `lastComment`.
///
/// Invariants: never reads past the end; each read consumes input or returns without moving.
struct StructuredHeaderReader {
    enum Outcome: Comparable {
        case failed, atEnd, more
    }

    let bytes: [UInt8]
    var position = 0
    /// The content of the most recent comment skipped (quoted-pairs resolved, nested
    /// parentheses kept).
    var lastComment: [UInt8] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }
    var outcomeHere: Outcome { isAtEnd ? .atEnd : .more }

    // atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" /
    //         "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"          ; RFC 5322 §3.2.3
    // plus 8-bit bytes (RFC 6532 §3.2).
    static func isAtext(_ byte: UInt8) -> Bool {
        if byte >= 0x80 { return true }
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    // token = 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>   ; RFC 2045 §5.1
    // tspecials add "/", "=", "?" to the RFC 5322 specials; "." is allowed.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        guard isAtext(byte) || byte == UInt8(ascii: ".") else { return false }
        return byte != UInt8(ascii: "/") && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "?")
    }

    // CFWS = (1*([FWS] comment) [FWS]) / FWS                             ; RFC 5322 §3.2.2
    /// Skips white space (including line breaks) and comments.
    @discardableResult
    mutating func skipWhitespaceAndComments() -> Outcome {
        while let byte = current {
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                position += 1
            } else if byte == UInt8(ascii: "(") {
                if skipComment() == .failed { return .failed }
            } else {
                break
            }
        }
        return outcomeHere
    }

    // comment = "(" *([FWS] ccontent) [FWS] ")" ; ccontent = ctext / quoted-pair / comment
    private mutating func skipComment() -> Outcome {
        lastComment = []
        var depth = 1
        position += 1
        while let byte = current {
            switch byte {
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 {
                    position += 1
                    return outcomeHere
                }
            case 0x0A:  // folding: the line break is not part of the comment
                if lastComment.last == 0x0D, bytes[position - 1] == 0x0D { lastComment.removeLast() }
                position += 1
                continue
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { return .failed }
                let escaped = bytes[position + 1]
                if escaped != 0x0D, escaped != 0x0A, escaped != 0 {  // quoted-pair (RFC 5322 §3.2.1)
                    lastComment.append(escaped)
                    position += 2
                    continue
                }
            default:
                break
            }
            lastComment.append(byte)
            position += 1
        }
        return .failed  // no closing ")"
    }

    /// A run of bytes matching `accept`, appended to `text`; then CFWS.
    private mutating func readRun(into text: inout [UInt8], _ accept: (UInt8) -> Bool) -> Outcome {
        let start = position
        while let byte = current, accept(byte) { position += 1 }
        text += bytes[start..<position]
        return isAtEnd ? .atEnd : skipWhitespaceAndComments()
    }

    // atom = [CFWS] 1*atext [CFWS]
    mutating func readAtom(into text: inout [UInt8]) -> Outcome {
        guard let byte = current, Self.isAtext(byte) else { return .failed }
        return readRun(into: &text, Self.isAtext)
    }

    // dot-atom = [CFWS] dot-atom-text [CFWS] ; dot-atom-text = 1*atext *("." 1*atext)
    // obs-local-part and obs-domain (RFC 5322 §4.4) allow CFWS around the dots.
    mutating func readDotAtom(into text: inout [UInt8]) -> Outcome {
        guard let byte = current, Self.isAtext(byte) else { return .failed }
        while true {
            let start = position
            while let byte = current, Self.isAtext(byte) { position += 1 }
            guard position > start else { return .failed }  // "a..b", "a.@b"
            text += bytes[start..<position]
            if isAtEnd { return .atEnd }
            let outcome = skipWhitespaceAndComments()
            guard outcome == .more else { return outcome }
            guard current == UInt8(ascii: ".") else { return .more }
            position += 1
            text.append(UInt8(ascii: "."))
            guard skipWhitespaceAndComments() == .more else { return .failed }  // nothing after the dot
        }
    }

    // token (RFC 2045 §5.1); may be empty.
    mutating func readToken(into text: inout [UInt8]) -> Outcome {
        readRun(into: &text, Self.isTokenByte)
    }

    // quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]   ; RFC 5322 §3.2.4
    /// Appends the content without its quotes, quoted-pairs resolved, folding line breaks removed.
    mutating func readQuotedString(into text: inout [UInt8]) -> Outcome {
        position += 1  // the opening DQUOTE
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return skipWhitespaceAndComments()
            case 0x0A:  // folding: the line break is not part of the content
                if text.last == 0x0D, bytes[position - 1] == 0x0D { text.removeLast() }
                position += 1
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { return .failed }
                let escaped = bytes[position + 1]
                if escaped == 0x0D || escaped == 0x0A || escaped == 0 {  // not a quoted-pair: kept
                    text.append(byte)
                    position += 1
                } else {
                    text.append(escaped)
                    position += 2
                }
            default:
                text.append(byte)
                position += 1
            }
        }
        return .failed  // no closing DQUOTE
    }

    // phrase = 1*word / obs-phrase ; obs-phrase = word *(word / "." / CFWS)   ; RFC 5322 §3.2.5, §4.1
    /// Words joined by one space each; comments dropped.
    mutating func readPhrase(into text: inout [UInt8]) -> Outcome {
        guard let first = current else { return .atEnd }
        if first == UInt8(ascii: ".") { return .failed }
        while true {
            let outcome: Outcome
            if current == UInt8(ascii: "\"") {
                outcome = readQuotedString(into: &text)
            } else {
                outcome = readRun(into: &text) { Self.isAtext($0) || $0 == UInt8(ascii: ".") }
            }
            guard outcome == .more, let next = current else { return outcome }
            guard Self.isAtext(next) || next == UInt8(ascii: "\"") || next == UInt8(ascii: ".") else { break }
            text.append(IMAPGrammar.space)
        }
        return skipWhitespaceAndComments()
    }

    // domain = dot-atom / domain-literal / obs-domain ; call at "@", which is consumed.
    // domain-literal = [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]  (kept as written, brackets too)
    mutating func readDomain(into text: inout [UInt8]) -> Outcome {
        position += 1
        guard skipWhitespaceAndComments() == .more else { return .failed }
        guard current == UInt8(ascii: "[") else { return readDotAtom(into: &text) }
        text.append(UInt8(ascii: "["))
        position += 1
        while let byte = current {
            switch byte {
            case UInt8(ascii: "["):
                return .failed
            case UInt8(ascii: "]"):
                text.append(byte)
                position += 1
                return skipWhitespaceAndComments()
            case 0x0A:
                if text.last == 0x0D, bytes[position - 1] == 0x0D { text.removeLast() }
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { return .failed }
                text.append(byte)
                let escaped = bytes[position + 1]
                if escaped != 0x0D, escaped != 0x0A, escaped != 0 {
                    text.append(escaped)
                    position += 1
                }
            default:
                text.append(byte)
            }
            position += 1
        }
        return .failed  // no closing "]"
    }
}
