/// A cursor over one complete, framed command: its lines joined with CRLF and every literal's
/// octets in place after its `{n}` CRLF (the framer has already checked the counts and limits).
/// Reads the small productions of RFC 3501 §9 / RFC 9051 §9.
struct IMAPCommandReader {
    let bytes: [UInt8]
    var position: Int
    let limits: IMAPLimits
    /// Decoding of mailbox names: UTF-8 once the client enabled UTF8=ACCEPT (RFC 6855 §3).
    let utf8Enabled: Bool
    /// Offsets where a literal's octets were streamed out by the parser rather than kept here.
    let streamedLiterals: [Int]
    var depth = 0

    init(bytes: [UInt8], limits: IMAPLimits, utf8Enabled: Bool, streamedLiterals: [Int] = []) {
        self.bytes = bytes
        self.position = 0
        self.limits = limits
        self.utf8Enabled = utf8Enabled
        self.streamedLiterals = streamedLiterals
    }

    var isAtEnd: Bool { position >= bytes.count }
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(IMAPSyntaxError) {
        guard skip(byte) else { throw IMAPSyntaxError("expected \(what)") }
    }

    /// Exactly one SP (RFC 3501 §9 separates arguments with single spaces).
    mutating func space() throws(IMAPSyntaxError) {
        guard skip(IMAPGrammar.space) else {
            throw IMAPSyntaxError(isAtEnd ? "missing argument" : "expected a single space between arguments")
        }
        if current == IMAPGrammar.space { throw IMAPSyntaxError("expected a single space between arguments") }
    }

    /// Whether another argument follows (consumes the space).
    mutating func spaceIfMore() throws(IMAPSyntaxError) -> Bool {
        guard current == IMAPGrammar.space else { return false }
        try space()
        return true
    }

    mutating func expectEnd() throws(IMAPSyntaxError) {
        guard isAtEnd else { throw IMAPSyntaxError("unexpected text after the last argument") }
    }

    /// Bytes while `predicate` holds (possibly none).
    mutating func take(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = position
        while position < bytes.count, predicate(bytes[position]) { position += 1 }
        return bytes[start..<position]
    }

    // atom = 1*ATOM-CHAR
    mutating func atom(_ what: String = "an atom") throws(IMAPSyntaxError) -> ArraySlice<UInt8> {
        let atom = take(while: IMAPGrammar.isAtomChar)
        guard !atom.isEmpty else { throw IMAPSyntaxError("expected \(what)") }
        return atom
    }

    /// An atom read as an upper-cased keyword.
    mutating func keyword(_ what: String = "a keyword") throws(IMAPSyntaxError) -> String {
        IMAPGrammar.uppercased(try atom(what))
    }

    /// Consumes `word` (case-insensitive) when it comes next as a whole atom.
    mutating func skipKeyword(_ word: String) -> Bool {
        let start = position
        let atom = take(while: IMAPGrammar.isAtomChar)
        if IMAPGrammar.uppercased(atom) == word { return true }
        position = start
        return false
    }

    // number, nz-number, number64 (RFC 9051 §9)
    mutating func number(_ what: String = "a number") throws(IMAPSyntaxError) -> UInt32 {
        guard let value = IMAPGrammar.number(take(while: Self.isDigit)) else { throw IMAPSyntaxError("expected \(what)") }
        return value
    }

    mutating func nzNumber(_ what: String = "a number") throws(IMAPSyntaxError) -> UInt32 {
        guard let value = IMAPGrammar.nzNumber(take(while: Self.isDigit)) else {
            throw IMAPSyntaxError("expected \(what) (1 to 4294967295)")
        }
        return value
    }

    mutating func number64(_ what: String = "a number") throws(IMAPSyntaxError) -> UInt64 {
        guard let value = IMAPGrammar.number64(take(while: Self.isDigit)) else {
            throw IMAPSyntaxError("expected \(what)")
        }
        return value
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    // sequence-set (RFC 3501 §9), "$" (RFC 5182)
    mutating func sequenceSet() throws(IMAPSyntaxError) -> SequenceSet {
        let text = take { Self.isDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "$") }
        guard !text.isEmpty else { throw IMAPSyntaxError("expected a sequence set") }
        guard let set = SequenceSet(parsing: text) else {
            throw IMAPSyntaxError("invalid sequence set \"\(String(decoding: text, as: UTF8.self))\"")
        }
        return set
    }

    // string = quoted / literal ; literal8 only where `binary` allows it (APPEND, RFC 3516 §4.2)
    // quoted = DQUOTE *QUOTED-CHAR DQUOTE ; QUOTED-CHAR = <TEXT-CHAR except quoted-specials> / "\" quoted-specials
    // literal = "{" number64 ["+"] "}" CRLF *CHAR8 ; CHAR8 = %x01-ff (no NUL)  ; RFC 9051, RFC 7888 "{n-}"
    mutating func string(_ what: String = "a string") throws(IMAPSyntaxError) -> [UInt8] {
        switch current {
        case IMAPGrammar.quote: return try quoted()
        case UInt8(ascii: "{"): return try literal(allowBinary: false).data
        case UInt8(ascii: "~"): throw IMAPSyntaxError("literal8 is only allowed for message data")
        default: throw IMAPSyntaxError("expected \(what)")
        }
    }

    mutating func quoted() throws(IMAPSyntaxError) -> [UInt8] {
        try expect(IMAPGrammar.quote, "a quoted string")
        var result: [UInt8] = []
        while true {
            guard let byte = current else { throw IMAPSyntaxError("unterminated quoted string") }
            position += 1
            switch byte {
            case IMAPGrammar.quote:
                return result
            case IMAPGrammar.backslash:
                guard let escaped = current, escaped == IMAPGrammar.quote || escaped == IMAPGrammar.backslash else {
                    throw IMAPSyntaxError("only \\\" and \\\\ may be escaped in a quoted string")
                }
                position += 1
                result.append(escaped)
            case 0, IMAPGrammar.cr, IMAPGrammar.lf:
                throw IMAPSyntaxError("NUL, CR and LF are not allowed in a quoted string")
            default:
                result.append(byte)
            }
        }
    }

    /// A literal, synchronizing or not; with `allowBinary`, also literal8 `~{n}` (its octets may
    /// include NUL). Returns the octets and whether it was literal8.
    mutating func literal(allowBinary: Bool) throws(IMAPSyntaxError) -> (data: [UInt8], binary: Bool) {
        let (count, binary) = try literalAnnouncement(allowBinary: allowBinary)
        guard !streamedLiterals.contains(position) else { throw IMAPSyntaxError("literal too large for a string") }
        return (try literalOctets(count, binary: binary), binary)
    }

    /// The message literal of APPEND (literal or literal8): in place, or streamed out.
    mutating func messageLiteral() throws(IMAPSyntaxError) -> (octets: IMAPMessageOctets, binary: Bool) {
        let (count, binary) = try literalAnnouncement(allowBinary: true)
        if let index = streamedLiterals.firstIndex(of: position) {
            return (.streamed(index: index, count: Int(count)), binary)
        }
        return (.inline(try literalOctets(count, binary: binary)), binary)
    }

    /// `~{n}`, `{n}`, `{n+}` or `{n-}` and the CRLF after it; the count and whether it is literal8.
    private mutating func literalAnnouncement(allowBinary: Bool) throws(IMAPSyntaxError) -> (UInt64, Bool) {
        let binary = skip(UInt8(ascii: "~"))
        if binary, !allowBinary { throw IMAPSyntaxError("literal8 is only allowed for message data") }
        try expect(UInt8(ascii: "{"), "a literal")
        guard let count = IMAPGrammar.number64(take(while: Self.isDigit)) else {
            throw IMAPSyntaxError("invalid literal length")
        }
        _ = skip(UInt8(ascii: "+")) || skip(UInt8(ascii: "-"))
        try expect(UInt8(ascii: "}"), "\"}\" after the literal length")
        guard skip(IMAPGrammar.cr), skip(IMAPGrammar.lf) else { throw IMAPSyntaxError("a literal must end its line") }
        return (count, binary)
    }

    private mutating func literalOctets(_ count: UInt64, binary: Bool) throws(IMAPSyntaxError) -> [UInt8] {
        guard count <= UInt64(bytes.count - position) else { throw IMAPSyntaxError("literal shorter than announced") }
        let data = Array(bytes[position..<(position + Int(count))])
        position += Int(count)
        if !binary, data.contains(0) {
            throw IMAPSyntaxError("NUL in a literal; send binary data as literal8 (RFC 3516)")
        }
        return data
    }

    // astring = 1*ASTRING-CHAR / string
    mutating func astring(_ what: String = "a string") throws(IMAPSyntaxError) -> [UInt8] {
        if current == IMAPGrammar.quote || current == UInt8(ascii: "{") { return try string(what) }
        let atom = take(while: IMAPGrammar.isAStringChar)
        guard !atom.isEmpty else { throw IMAPSyntaxError("expected \(what)") }
        return Array(atom)
    }

    // nstring = string / nil
    mutating func nstring(_ what: String = "a string or NIL") throws(IMAPSyntaxError) -> [UInt8]? {
        if skipKeyword("NIL") { return nil }
        return try string(what)
    }

    // mailbox = "INBOX" / astring       ; RFC 3501 §9, names decoded per §5.1.3 or RFC 6855
    mutating func mailbox() throws(IMAPSyntaxError) -> MailboxName {
        let wire = try astring("a mailbox name")
        do {
            return try MailboxName(wire: wire, utf8Enabled: utf8Enabled)
        } catch {
            throw IMAPSyntaxError(error.description, status: error.isSyntax ? .bad : .no, code: error.isSyntax ? nil : .cannot)
        }
    }

    /// `(` items separated by single spaces `)`, possibly empty; `item` reads one element.
    mutating func parenthesizedList<T>(
        allowEmpty: Bool = true, _ item: (inout IMAPCommandReader) throws(IMAPSyntaxError) -> T
    ) throws(IMAPSyntaxError) -> [T] {
        let open = position
        try expect(UInt8(ascii: "("), "\"(\"")
        try enter(at: open)
        defer { depth -= 1 }
        var items: [T] = []
        if skip(UInt8(ascii: ")")) {
            guard allowEmpty else { throw IMAPSyntaxError("empty list") }
            return items
        }
        while true {
            items.append(try item(&self))
            if skip(UInt8(ascii: ")")) { return items }
            guard current != nil else { throw IMAPSyntaxError("unbalanced parentheses: missing \")\"") }
            try space()
        }
    }

    /// Counts one level of nesting (a parenthesized list, or the key of a NOT or an OR) that
    /// starts at offset `start`; refuses nesting beyond `IMAPLimits.nestingDepth`, naming the
    /// octet of the command (counted from 1, the tag's first) where the level too many begins.
    mutating func enter(at start: Int) throws(IMAPSyntaxError) {
        depth += 1
        guard depth <= limits.nestingDepth else {
            throw IMAPSyntaxError(
                "lists and search keys nested more than \(limits.nestingDepth) deep (at octet \(start + 1) of the command)")
        }
    }
}
