/// The string forms ENVELOPE and BODYSTRUCTURE use for header text (RFC 3501 §7.4.2,
/// RFC 9051 §7.5.2), chosen as Dovecot chooses them so that a client sees the same bytes from
/// either server (clients cache BODYSTRUCTURE and compare ENVELOPEs across servers).
///
/// - `appendHeaderString`: nstring; quoted unless the value holds CR, LF, NUL or 8-bit text
///   (RFC 3501 §9 `QUOTED-CHAR` is 7-bit TEXT-CHAR), or more than four quoted-specials, where a
///   literal is shorter than the escaped string.
/// - `appendUnfoldedString`: the same after removing line breaks (RFC 5322 §2.2.3 unfolding);
///   a line break not followed by white space becomes one space, so words stay apart.
/// - `appendDisplayText`: for Subject and display names, text meant for people: line breaks
///   removed, each run of spaces and tabs shown as one space, none at either end (RFC 5322
///   §3.2.2: a run of FWS is semantically one space). Any value that had to be changed, or that
///   holds `"`, `\` or 8-bit text, is sent as a literal.
extension IMAPWriter {
    /// More quoted-specials than this make a literal (each costs a byte as `\"` or `\\`).
    static let maximumQuotedSpecials = 4

    // nstring = string / nil ; string = quoted / literal
    mutating func appendHeaderString(_ value: (some Collection<UInt8>)?) {
        guard let value else {
            append("NIL")
            return
        }
        if canQuoteHeaderText(value) {
            appendQuoted(value)
        } else {
            appendLiteral(value)
        }
    }

    mutating func appendUnfoldedString(_ value: [UInt8]?) {
        guard let value else {
            append("NIL")
            return
        }
        guard value.contains(where: { $0 == IMAPGrammar.cr || $0 == IMAPGrammar.lf }) else {
            appendHeaderString(value)
            return
        }
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(value.count)
        for (i, byte) in value.enumerated() {
            guard byte == IMAPGrammar.cr || byte == IMAPGrammar.lf else {
                unfolded.append(byte)
                continue
            }
            let next = i + 1 < value.count ? value[i + 1] : nil
            if let next, !Self.isLineWhitespace(next) { unfolded.append(IMAPGrammar.space) }
        }
        appendHeaderString(unfolded)
    }

    mutating func appendDisplayText(_ value: [UInt8]) {
        var text: [UInt8] = []
        text.reserveCapacity(value.count)
        var afterSpace = true  // drops leading white space
        var needsLiteral = false
        for byte in value {
            switch byte {
            case IMAPGrammar.cr, IMAPGrammar.lf:
                continue
            case IMAPGrammar.space, 0x09:
                if !afterSpace { text.append(IMAPGrammar.space) }
                afterSpace = true
            case 0:
                text.append(0x80)  // NUL cannot travel in a literal either
                afterSpace = false
            default:
                if byte == IMAPGrammar.quote || byte == IMAPGrammar.backslash { needsLiteral = true }
                if byte >= 0x80, !utf8Enabled { needsLiteral = true }
                text.append(byte)
                afterSpace = false
            }
        }
        if afterSpace, text.last == IMAPGrammar.space { text.removeLast() }
        if utf8Enabled, value.contains(where: { $0 >= 0x80 }), String(validating: value, as: UTF8.self) == nil {
            needsLiteral = true
        }
        if !needsLiteral, text.elementsEqual(value) {
            appendQuoted(value)
        } else if text.isEmpty {
            append("\"\"")
        } else {
            appendLiteral(text)
        }
    }

    private func canQuoteHeaderText(_ value: some Collection<UInt8>) -> Bool {
        var specials = 0
        var high = false
        for byte in value {
            switch byte {
            case 0, IMAPGrammar.cr, IMAPGrammar.lf: return false
            case IMAPGrammar.quote, IMAPGrammar.backslash:
                specials += 1
                if specials > Self.maximumQuotedSpecials { return false }
            default:
                if byte >= 0x80 { high = true }
            }
        }
        guard high else { return true }
        return utf8Enabled && String(validating: Array(value), as: UTF8.self) != nil
    }

    static func isLineWhitespace(_ byte: UInt8) -> Bool {
        byte == IMAPGrammar.space || byte == 0x09 || byte == IMAPGrammar.cr || byte == IMAPGrammar.lf
    }
}
