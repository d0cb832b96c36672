/// The character classes and small productions of RFC 3501 §9 / RFC 9051 §9, shared by the
/// command parser and the response encoder.
enum IMAPGrammar {
    static let space = UInt8(ascii: " ")
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    // CTL = %x00-1F / %x7F                                        ; RFC 5234
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    // atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
    // list-wildcards = "%" / "*" ; quoted-specials = DQUOTE / "\" ; resp-specials = "]"
    // ATOM-CHAR = <any CHAR except atom-specials>                    ; CHAR = %x01-7F
    static func isAtomChar(_ byte: UInt8) -> Bool {
        guard byte >= 0x01, byte <= 0x7F, !isControl(byte) else { return false }
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), space, UInt8(ascii: "%"), UInt8(ascii: "*"),
            quote, backslash, UInt8(ascii: "]"):
            return false
        default:
            return true
        }
    }

    // ASTRING-CHAR = ATOM-CHAR / resp-specials
    static func isAStringChar(_ byte: UInt8) -> Bool { isAtomChar(byte) || byte == UInt8(ascii: "]") }

    // tag = 1*<any ASTRING-CHAR except "+">
    static func isTagChar(_ byte: UInt8) -> Bool { isAStringChar(byte) && byte != UInt8(ascii: "+") }

    // list-char = ATOM-CHAR / list-wildcards / resp-specials          ; RFC 3501 §9
    static func isListChar(_ byte: UInt8) -> Bool {
        isAStringChar(byte) || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*")
    }

    // TEXT-CHAR = <any CHAR except CR and LF>; QUOTED-CHAR = <any TEXT-CHAR except quoted-specials>
    /// Whether the bytes can be sent as a quoted string without escapes beyond `\"` and `\\`.
    /// 8-bit is allowed only as UTF-8 when the client enabled it (RFC 9051 §9 `QUOTED-CHAR =/ UTF8-2…`).
    static func isQuotable(_ bytes: some Collection<UInt8>, utf8: Bool) -> Bool {
        var high = false
        for byte in bytes {
            if byte == 0 || byte == cr || byte == lf { return false }
            if byte >= 0x80 { high = true }
        }
        guard high else { return true }
        return utf8 && String(validating: Array(bytes), as: UTF8.self) != nil
    }

    // number = 1*DIGIT  ; unsigned 32-bit
    static func number(_ bytes: some Collection<UInt8>) -> UInt32? {
        guard !bytes.isEmpty, bytes.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }

    // nz-number = digit-nz *DIGIT
    static func nzNumber(_ bytes: some Collection<UInt8>) -> UInt32? {
        guard let first = bytes.first, first != UInt8(ascii: "0") else { return nil }
        return number(bytes)
    }

    // number64 = 1*DIGIT  ; unsigned 63-bit (RFC 9051 §9); mod-sequence-value (RFC 7162 §7)
    static func number64(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return value <= UInt64(Int64.max) ? value : nil
    }

    /// ASCII upper-casing for case-insensitive keywords (RFC 3501 §9: "case-insensitive").
    static func uppercased(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}
