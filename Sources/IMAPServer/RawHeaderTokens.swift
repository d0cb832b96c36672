/// The lexical tokens of an RFC 5322 structured header value (§3.2), kept as written: ENVELOPE
/// and BODYSTRUCTURE return header text undecoded (RFC 3501 §7.4.2 leaves RFC 2047 encoded
/// words encoded), so this tokenizer never decodes anything beyond quoting.
enum RawHeaderToken: Hashable {
    /// A run of atext and ".", as written (dots are kept inside words: obs-phrase, dot-atom).
    case word([UInt8])
    /// A quoted-string's content with its quoted-pairs resolved.
    case quoted([UInt8])
    /// A comment's content (nested comments kept as text).
    case comment([UInt8])
    /// "[…]" including the brackets.
    case domainLiteral([UInt8])
    /// One of the specials `< > @ , ; : = / ?`, and anything else that is not a word character.
    case special(UInt8)

    static func tokenize(_ value: some Collection<UInt8>) -> [RawHeaderToken] {
        let bytes = Array(value)
        var tokens: [RawHeaderToken] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0A:
                i += 1
            case UInt8(ascii: "\""):
                var content: [UInt8] = []
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                    if bytes[i] != 0x0D, bytes[i] != 0x0A { content.append(bytes[i]) }
                    i += 1
                }
                i += 1
                tokens.append(.quoted(content))
            case UInt8(ascii: "("):
                var depth = 1
                var content: [UInt8] = []
                i += 1
                while i < bytes.count {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        content.append(bytes[i + 1])
                        i += 2
                        continue
                    }
                    if c == UInt8(ascii: "(") { depth += 1 }
                    if c == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    content.append(c)
                    i += 1
                }
                i += 1
                tokens.append(.comment(content))
            case UInt8(ascii: "["):
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "]") { i += 1 }
                i = min(i + 1, bytes.count)
                tokens.append(.domainLiteral(Array(bytes[start..<i])))
            default:
                if isWordByte(byte) {
                    let start = i
                    while i < bytes.count, isWordByte(bytes[i]) { i += 1 }
                    tokens.append(.word(Array(bytes[start..<i])))
                } else {
                    tokens.append(.special(byte))
                    i += 1
                }
            }
        }
        return tokens
    }

    // atext (RFC 5322 §3.2.3) plus "." and 8-bit (RFC 6532 §3.2), minus the MIME tspecials that
    // structure parameters ("/", "=", "?" are atext but separate MIME tokens: handled by callers).
    static func isWordByte(_ byte: UInt8) -> Bool {
        if byte >= 0x80 { return true }
        guard byte > 0x20, byte < 0x7F else { return false }
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\\"), UInt8(ascii: "\""),
            UInt8(ascii: "["), UInt8(ascii: "]"):
            return false
        default:
            return true
        }
    }
}
