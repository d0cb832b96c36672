/// A cursor over the bytes of one unfolded structured header value, with the lexical rules of
/// RFC 5322 §3.2 (quoted pairs, folding white space and comments, atoms, quoted strings).
///
/// Invariants: never reads past `end`; every method either consumes at least one byte or returns
/// without moving, so loops over it terminate; unterminated comments, quoted strings and
/// domain literals end at the end of the value instead of failing.
struct HeaderScanner {
    let bytes: [UInt8]
    var position: Int

    init(_ value: some Collection<UInt8>) {
        bytes = Array(value)
        position = 0
    }

    var isAtEnd: Bool { position >= bytes.count }
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// WSP and the CR/LF of folding (RFC 5322 §3.2.2 FWS), tolerated anywhere.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// RFC 5322 §3.2.3 specials.
    static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "\\"),
            UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "\""):
            return true
        default: return false
        }
    }

    /// RFC 2045 §5.1 tspecials (specials minus "." plus "/", "?", "=").
    static func isTSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\\"), UInt8(ascii: "\""),
            UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "?"), UInt8(ascii: "="):
            return true
        default: return false
        }
    }

    /// CFWS (RFC 5322 §3.2.2): skips white space and comments. Returns whether any was skipped.
    @discardableResult
    mutating func skipCFWS() -> Bool {
        let start = position
        while let byte = current {
            if Self.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "(") {
                _ = readComment()
            } else {
                break
            }
        }
        return position > start
    }

    /// comment = "(" *([FWS] ccontent) [FWS] ")" with nesting and quoted pairs (RFC 5322 §3.2.2).
    /// Call with `current == "("`. Returns the text inside, quoted pairs resolved.
    mutating func readComment() -> [UInt8] {
        var text: [UInt8] = []
        var depth = 0
        while let byte = current {
            position += 1
            switch byte {
            case UInt8(ascii: "("):
                if depth > 0 { text.append(byte) }
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return text }
                text.append(byte)
            case UInt8(ascii: "\\"):
                if let next = current {
                    text.append(next)
                    position += 1
                }
            default:
                text.append(byte)
            }
        }
        return text
    }

    /// quoted-string content (RFC 5322 §3.2.4), quoted pairs resolved, CR/LF of folding removed.
    /// Call with `current == "\""`. An unterminated string runs to the end of the value.
    mutating func readQuotedString() -> [UInt8] {
        position += 1
        var text: [UInt8] = []
        while let byte = current {
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return text
            case UInt8(ascii: "\\"):
                if let next = current {
                    text.append(next)
                    position += 1
                }
            case 0x0D, 0x0A:
                continue
            default:
                text.append(byte)
            }
        }
        return text
    }

    /// A run of bytes none of which satisfies `stop`, nor is white space, "(" or "\"".
    mutating func readRun(stoppingAt stop: (UInt8) -> Bool) -> [UInt8] {
        let start = position
        while let byte = current, !Self.isWhitespace(byte), byte != UInt8(ascii: "("), byte != UInt8(ascii: "\""),
            !stop(byte)
        {
            position += 1
        }
        return Array(bytes[start..<position])
    }

    /// RFC 2045 §5.1 token (any CHAR except SPACE, CTLs and tspecials; 8-bit bytes tolerated).
    mutating func readToken() -> [UInt8] {
        let start = position
        while let byte = current, byte > 0x20, byte != 0x7F, !Self.isTSpecial(byte) { position += 1 }
        return Array(bytes[start..<position])
    }
}

extension Array where Element == UInt8 {
    /// The bytes without leading and trailing white space.
    func trimmingWhitespace() -> ArraySlice<UInt8> {
        var lower = startIndex
        var upper = endIndex
        while lower < upper, HeaderScanner.isWhitespace(self[lower]) { lower += 1 }
        while upper > lower, HeaderScanner.isWhitespace(self[upper - 1]) { upper -= 1 }
        return self[lower..<upper]
    }

    /// ASCII-lowercased copy as a String (non-ASCII bytes read as UTF-8, else Windows-1252).
    func lowercasedASCIIString() -> String {
        let lowered = map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
        return Charsets.decodeLossy(lowered, charset: nil)
    }
}
