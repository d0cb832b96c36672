/// Address lists (RFC 5322 §3.4) as they occur in From, Sender, Reply-To, To, Cc, Bcc and the
/// Resent-* fields, with the obsolete syntax of §4.4 and what broken mailers send.
///
/// Invariants: never throws and never traps; every input yields a (possibly empty) list; an
/// address without a mailbox is not returned; members of a group carry the group's name, and an
/// empty group ("undisclosed-recipients:;") yields nothing.
public enum AddressParser {
    // address-list = (address *("," address)) / obs-addr-list
    // address      = mailbox / group
    // mailbox      = name-addr / addr-spec
    // name-addr    = [display-name] angle-addr
    // angle-addr   = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
    // group        = display-name ":" [group-list] ";" [CFWS]
    /// Parses an address-list or mailbox-list header value. Takes what it can from broken input:
    /// a missing ">", unquoted dots and commas in display names ("Smith, John <j@x>" is one
    /// address), bare addresses, ";" used as a list separator, empty groups, comments, and
    /// obsolete routes "<@a,@b:x@y>" (RFC 5322 §4.4).
    ///
    /// `fallbackCharset` (for example the charset of the message's text body) is tried for raw
    /// 8-bit display names that are not UTF-8, before Windows-1252.
    public static func parseList(_ value: some Collection<UInt8>, fallbackCharset: String? = nil) -> [Address] {
        let parser = ListParser(fallbackCharset: fallbackCharset)
        return parser.parse(AddressToken.tokenize(value))
    }
}

/// One run of the address-list grammar; holds what every production needs.
private struct ListParser {
    let fallbackCharset: String?

    func parse(_ tokens: [AddressToken]) -> [Address] {
        var result: [Address] = []
        var group: String? = nil
        var unit: [AddressToken] = []
        // A phrase-only unit ("Smith") that may be the first half of a display name with a comma.
        var pendingPhrase: [AddressToken]? = nil

        func flushPending() {
            if let previous = pendingPhrase, let address = mailboxFromPhrase(previous, group: group) {
                result.append(address)
            }
            pendingPhrase = nil
        }

        func finishUnit() {
            defer { unit = [] }
            let hasAngle = unit.contains { $0.isAngle }
            let hasAt = unit.contains { $0.kind == .at }
            if !hasAngle, !hasAt {
                if unit.isEmpty { return }
                flushPending()
                pendingPhrase = unit
                return
            }
            if hasAngle, let previous = pendingPhrase {
                // "Smith, John <j@x>": the phrase before the comma belongs to this display name.
                pendingPhrase = nil
                result += mailboxes(from: previous + [AddressToken(kind: .comma, spaceBefore: false)] + unit, group: group)
                return
            }
            flushPending()
            result += mailboxes(from: unit, group: group)
        }

        for token in tokens {
            switch token.kind {
            case .colon:
                let opensGroup = group == nil && !unit.contains { $0.isAngle || $0.kind == .at }
                if opensGroup {
                    flushPending()
                    group = phraseText(unit)
                    unit = []
                } else {
                    unit.append(token)
                }
            case .semicolon:
                finishUnit()
                flushPending()
                group = nil
            case .comma:
                finishUnit()
            default:
                unit.append(token)
            }
        }
        finishUnit()
        flushPending()
        return result
    }

    /// A unit with an angle address or an "@": name-addr, addr-spec, "Name local@domain", or
    /// several bare addr-specs separated only by white space ("a@x b@y").
    func mailboxes(from tokens: [AddressToken], group: String?) -> [Address] {
        if let angleIndex = tokens.firstIndex(where: { $0.isAngle }), case .angle(let content) = tokens[angleIndex].kind {
            guard let spec = AddressSpec.fromAngle(content), !spec.isEmpty else { return [] }
            return [Address(displayName: phraseText(Array(tokens[..<angleIndex])), mailbox: spec, group: group)]
        }
        // No angle brackets: the addr-spec is the run of tokens around the (last) "@" that is not
        // separated by white space; what comes before it is a display name without its brackets,
        // or, when it holds an "@" too, more bare addresses ("a@x b@y", no comma between them).
        // Those are taken from the end, one per turn of the loop: a header of 100,000 of them must
        // neither recurse 100,000 deep nor copy the rest each time.
        var trailing: [Address] = []  // found from the end, last first
        var begin = tokens.startIndex
        var end = tokens.endIndex
        while true {
            // obs-route without angle brackets: "@a,@b:user@c" (RFC 5322 §4.4), as old UUCP gateways wrote.
            if begin < end, tokens[begin].kind == .at, let colon = tokens[begin..<end].firstIndex(where: { $0.kind == .colon }) {
                begin = colon + 1
            }
            guard let atIndex = tokens[begin..<end].lastIndex(where: { $0.kind == .at }) else {
                let leading = mailboxFromPhrase(Array(tokens[begin..<end]), group: group)
                return (leading.map { [$0] } ?? []) + trailing.reversed()
            }
            var start = atIndex
            if start > begin, tokens[start - 1].isWordLike {
                start -= 1
                // "a!b@host@relay": earlier "@"s belong to the local part when nothing separates them.
                while start > begin, !tokens[start].spaceBefore, tokens[start - 1].isWordLike || tokens[start - 1].kind == .at {
                    start -= 1
                }
            }
            let spec = AddressSpec.from(Array(tokens[start..<end]))
            guard !spec.isEmpty else { return trailing.reversed() }
            guard tokens[begin..<start].contains(where: { $0.kind == .at }) else {
                let first = Address(displayName: phraseText(Array(tokens[begin..<start])), mailbox: spec, group: group)
                return [first] + trailing.reversed()
            }
            trailing.append(Address(displayName: nil, mailbox: spec, group: group))
            end = start
        }
    }

    /// A unit that is only words: a local mailbox such as "root", or "undisclosed recipients".
    /// Encoded words are decoded here, as Python does.
    func mailboxFromPhrase(_ tokens: [AddressToken], group: String?) -> Address? {
        let local = AddressSpec.localPart(tokens, decodingWords: true)
        guard !local.isEmpty else { return nil }
        return Address(displayName: nil, mailbox: local, group: group)
    }

    /// display-name = phrase (RFC 5322 §3.2.5, obs-phrase of §4.1 allows "."): words and quoted
    /// strings joined by one space where the source had white space or comments; RFC 2047 words
    /// decoded; the content of quoted strings kept as written. nil if empty or only white space.
    func phraseText(_ tokens: [AddressToken]) -> String? {
        var bytes: [UInt8] = []
        for token in tokens {
            let piece: [UInt8]
            switch token.kind {
            case .word(let text), .quoted(let text), .literal(let text): piece = text
            case .comma: piece = [UInt8(ascii: ",")]
            case .at: piece = [UInt8(ascii: "@")]
            case .colon: piece = [UInt8(ascii: ":")]
            default: continue
            }
            if token.spaceBefore, !bytes.isEmpty { bytes.append(0x20) }
            bytes += piece
        }
        // White space inside quotes is kept as written (" Angles  Puglisi" stays so, as in Python).
        let text = EncodedWords.decode(bytes, fallbackCharset: fallbackCharset)
        return text.trimmingCharacters(in: " \t").isEmpty ? nil : text
    }
}

/// addr-spec = local-part "@" domain (RFC 5322 §3.4.1), rebuilt from tokens.
private enum AddressSpec {
    /// The addr-spec inside "<…>", without an obsolete route ("@a,@b:") and without CFWS.
    static func fromAngle(_ content: [UInt8]) -> String? {
        var tokens = AddressToken.tokenize(content)
        // obs-route = obs-domain-list ":"  (RFC 5322 §4.4)
        if let first = tokens.first, first.kind == .at,
            let colon = tokens.firstIndex(where: { $0.kind == .colon })
        {
            tokens.removeSubrange(...colon)
        }
        // A group inside the brackets ("<Undisclosed-Recipient:;>"): what precedes the ":" is all
        // there is, as Python reads it.
        if let colon = tokens.firstIndex(where: { $0.kind == .colon }) { tokens.removeSubrange(colon...) }
        tokens.removeAll { $0.kind == .semicolon }
        return from(tokens)
    }

    /// local-part "@" domain from tokens; the local part is quoted only if it needs to be.
    static func from(_ tokens: [AddressToken]) -> String {
        guard let at = tokens.lastIndex(where: { $0.kind == .at }) else { return localPart(tokens) }
        let local = localPart(Array(tokens[..<at]))
        var domain: [UInt8] = []
        // The domain is the first token after "@" and whatever follows it without white space, or
        // with white space around a dot (obs-domain allows CFWS there: "test   . example", §4.4).
        for (offset, token) in tokens[(at + 1)...].enumerated() {
            if offset > 0, token.spaceBefore, domain.last != UInt8(ascii: "."), !token.startsWithDot { break }
            switch token.kind {
            case .word(let bytes), .literal(let bytes), .quoted(let bytes): domain += bytes
            default: break
            }
        }
        let domainText = EncodedWords.decodeRaw(domain[...])
        if local.isEmpty { return domainText.isEmpty ? "" : "@" + domainText }
        return domainText.isEmpty ? local : local + "@" + domainText
    }

    /// The local part: words and quoted strings joined; re-quoted (RFC 5322 §3.2.4) only if the
    /// result is not a dot-atom-ish run (it contains white space or specials other than ".").
    static func localPart(_ tokens: [AddressToken], decodingWords: Bool = false) -> String {
        var bytes: [UInt8] = []
        var first = true
        for token in tokens {
            let piece: [UInt8]
            switch token.kind {
            case .word(let text), .quoted(let text), .literal(let text): piece = text
            case .at: piece = [UInt8(ascii: "@")]
            case .colon: piece = [UInt8(ascii: ":")]
            case .comma: piece = [UInt8(ascii: ",")]
            default: continue
            }
            if token.spaceBefore, !first { bytes.append(0x20) }
            bytes += piece
            first = false
        }
        let needsQuotesRaw = bytes.contains { byte in
            byte == 0x20 || byte == 0x09 || (byte != UInt8(ascii: ".") && HeaderScanner.isSpecial(byte))
        }
        let text = decodingWords ? EncodedWords.decode(bytes) : EncodedWords.decodeRaw(bytes[...])
        let needsQuotes =
            needsQuotesRaw || text.unicodeScalars.contains { $0 == " " || $0 == "\t" }
        guard needsQuotes else { return text }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\\" || character == "\"" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
    }

}

extension String {
    /// The string without leading and trailing characters from `set` (ASCII white space here).
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = unicodeScalars[...]
        while let first = view.first, scalars.contains(first) { view = view.dropFirst() }
        while let last = view.last, scalars.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

/// A lexical unit of an address list (RFC 5322 §3.2), with whether CFWS preceded it.
struct AddressToken: Equatable {
    enum Kind: Equatable {
        case word([UInt8])  // atom or dot-atom (obs-phrase dots included), or any other run
        case quoted([UInt8])  // quoted-string content
        case literal([UInt8])  // domain-literal, brackets included
        case angle([UInt8])  // what lies between "<" and ">" (or the end)
        case at, comma, semicolon, colon
    }
    var kind: Kind
    var spaceBefore: Bool

    var isAngle: Bool {
        if case .angle = kind { return true }
        return false
    }
    var isWordLike: Bool {
        switch kind {
        case .word, .quoted: return true
        default: return false
        }
    }
    var startsWithDot: Bool {
        if case .word(let bytes) = kind { return bytes.first == UInt8(ascii: ".") }
        return false
    }

    static func tokenize(_ value: some Collection<UInt8>) -> [AddressToken] {
        var scanner = HeaderScanner(value)
        var tokens: [AddressToken] = []
        while true {
            let space = scanner.skipCFWS()
            guard let byte = scanner.current else { break }
            switch byte {
            case UInt8(ascii: "\""):
                tokens.append(AddressToken(kind: .quoted(scanner.readQuotedString()), spaceBefore: space))
            case UInt8(ascii: "<"):
                scanner.position += 1
                tokens.append(AddressToken(kind: .angle(readAngle(&scanner)), spaceBefore: space))
            case UInt8(ascii: "["):
                let start = scanner.position
                while let next = scanner.current, next != UInt8(ascii: "]") { scanner.position += 1 }
                if !scanner.isAtEnd { scanner.position += 1 }
                let literal = scanner.bytes[start..<scanner.position].filter { !HeaderScanner.isWhitespace($0) }
                tokens.append(AddressToken(kind: .literal(literal), spaceBefore: space))
            case UInt8(ascii: "@"):
                scanner.position += 1
                tokens.append(AddressToken(kind: .at, spaceBefore: space))
            case UInt8(ascii: ","):
                scanner.position += 1
                tokens.append(AddressToken(kind: .comma, spaceBefore: space))
            case UInt8(ascii: ";"):
                scanner.position += 1
                tokens.append(AddressToken(kind: .semicolon, spaceBefore: space))
            case UInt8(ascii: ":"):
                scanner.position += 1
                tokens.append(AddressToken(kind: .colon, spaceBefore: space))
            case UInt8(ascii: ">"), UInt8(ascii: ")"), UInt8(ascii: "]"):
                scanner.position += 1  // stray closer: ignore
            default:
                let word = scanner.readRun { byte in
                    switch byte {
                    case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"), UInt8(ascii: ","),
                        UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"),
                        UInt8(ascii: ")"):
                        return true
                    default: return false
                    }
                }
                if word.isEmpty {
                    scanner.position += 1
                } else {
                    tokens.append(AddressToken(kind: .word(word), spaceBefore: space))
                }
            }
        }
        return tokens
    }

    /// The bytes up to the closing ">" (quoted strings and comments inside respected), or to the end.
    private static func readAngle(_ scanner: inout HeaderScanner) -> [UInt8] {
        var content: [UInt8] = []
        while let byte = scanner.current {
            switch byte {
            case UInt8(ascii: ">"):
                scanner.position += 1
                return content
            case UInt8(ascii: "\""):
                let start = scanner.position
                _ = scanner.readQuotedString()
                content += scanner.bytes[start..<scanner.position]
            case UInt8(ascii: "("):
                _ = scanner.readComment()
                content.append(0x20)
            default:
                content.append(byte)
                scanner.position += 1
            }
        }
        return content
    }
}
