/// Splits a script's bytes into tokens, one at a time (RFC 5228 §2 and §8.1).
///
/// Invariants: `index` is always at the start of a Unicode scalar; `line`/`column` are the
/// 1-based place of `bytes[index]`, columns counting scalars. Every byte outside strings and
/// comments is ASCII; inside them every scalar is checked to be valid UTF-8 and NUL is refused
/// (RFC 5228 §8.1: no octet class includes %x00). Line ends are CRLF or a bare LF; a bare CR is
/// an error everywhere.
struct SieveLexer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    /// Where the most recent line break (its CR, or its LF when bare) started.
    private var lastLineBreak = SourceLocation(line: 1, column: 1)

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var location: SourceLocation { SourceLocation(line: line, column: column) }

    /// The end of the script: just after the last character of the last line, a final line
    /// break not counted ("keep;\n" ends at 1:6).
    private var endLocation: SourceLocation {
        if let last = bytes.last, last == .lineFeed { return lastLineBreak }
        return location
    }

    /// The next token; `.end` (repeatedly) once the script is consumed.
    mutating func next() throws(SieveError) -> SieveToken {
        try skipWhitespaceAndComments()
        guard index < bytes.count else { return SieveToken(kind: .end, location: endLocation) }
        let start = location
        let byte = bytes[index]
        let single: SieveToken.Kind? = switch byte {
        case UInt8(ascii: "["): .leftBracket
        case UInt8(ascii: "]"): .rightBracket
        case UInt8(ascii: "("): .leftParenthesis
        case UInt8(ascii: ")"): .rightParenthesis
        case UInt8(ascii: "{"): .leftBrace
        case UInt8(ascii: "}"): .rightBrace
        case UInt8(ascii: ","): .comma
        case UInt8(ascii: ";"): .semicolon
        default: nil
        }
        if let single {
            advance()
            return SieveToken(kind: single, location: start)
        }
        switch byte {
        case UInt8(ascii: "\""): return SieveToken(kind: try quotedString(), location: start)
        case UInt8(ascii: ":"): return SieveToken(kind: try tag(), location: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return SieveToken(kind: try number(), location: start)
        case _ where byte.isIdentifierStart:
            let name = identifier()
            if name.lowercased() == "text", peek() == UInt8(ascii: ":") {
                return SieveToken(kind: try multiLineString(start: start), location: start)
            }
            return SieveToken(kind: .identifier(name), location: start)
        default:
            throw unexpectedCharacter()
        }
    }

    // MARK: - Whitespace and comments

    // white-space = 1*(SP / CRLF / HTAB) / comment
    // comment = bracket-comment / hash-comment
    private mutating func skipWhitespaceAndComments() throws(SieveError) {
        while index < bytes.count {
            switch bytes[index] {
            case .space, .tab, .lineFeed:
                advance()
            case .carriageReturn:
                _ = try content(in: "script")
            case UInt8(ascii: "#"):
                try hashComment()
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                try bracketComment()
            default:
                return
            }
        }
    }

    // hash-comment = "#" *octet-not-crlf CRLF   (a comment on the last line may end the script)
    private mutating func hashComment() throws(SieveError) {
        advance()
        while index < bytes.count, bytes[index] != .lineFeed, bytes[index] != .carriageReturn {
            _ = try content(in: "comment")
        }
        if index < bytes.count { _ = try content(in: "comment") }  // the line break (CR alone is refused)
    }

    // bracket-comment = "/*" *not-star 1*STAR *(not-star-slash *not-star 1*STAR) "/"
    private mutating func bracketComment() throws(SieveError) {
        let start = location
        advance()
        advance()
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                advance()
                advance()
                return
            }
            _ = try content(in: "comment")
        }
        throw SieveError("unterminated comment", at: start)
    }

    // MARK: - Tokens

    // identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")
    private mutating func identifier() -> String {
        let start = index
        while index < bytes.count, bytes[index].isIdentifierStart || bytes[index].isDigit { advance() }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    // tag = ":" identifier
    private mutating func tag() throws(SieveError) -> SieveToken.Kind {
        let start = location
        advance()
        guard index < bytes.count, bytes[index].isIdentifierStart else {
            throw SieveError("expected a tag name after \":\"", at: start)
        }
        return .tag(identifier())
    }

    // number = 1*DIGIT [ QUANTIFIER ]; QUANTIFIER = "K" / "M" / "G"   (RFC 5228 §2.4.1:
    // kibi-, mebi-, gibi-; ABNF literals are case-insensitive, so "k" is accepted too)
    private mutating func number() throws(SieveError) -> SieveToken.Kind {
        let start = location
        let startIndex = index
        var value: UInt64 = 0
        var overflow = false
        while index < bytes.count, bytes[index].isDigit {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            value = sum
            overflow = overflow || o1 || o2
            advance()
        }
        if index < bytes.count {
            let shift: UInt64? = switch bytes[index] | 0x20 {
            case UInt8(ascii: "k"): 10
            case UInt8(ascii: "m"): 20
            case UInt8(ascii: "g"): 30
            default: nil
            }
            if let shift {
                let (scaled, o) = value.multipliedReportingOverflow(by: 1 << shift)
                value = scaled
                overflow = overflow || o
                advance()
            }
        }
        if index < bytes.count, bytes[index].isIdentifierStart || bytes[index].isDigit {
            while index < bytes.count, bytes[index].isIdentifierStart || bytes[index].isDigit { advance() }
            throw SieveError("invalid number \"\(String(decoding: bytes[startIndex..<index], as: UTF8.self))\"", at: start)
        }
        if overflow {
            throw SieveError("number \(String(decoding: bytes[startIndex..<index], as: UTF8.self)) is too large", at: start)
        }
        return .number(value)
    }

    // quoted-string = DQUOTE quoted-text DQUOTE
    // quoted-text = *(quoted-safe / quoted-special / quoted-other)
    // quoted-special = "\" (DQUOTE / "\");  quoted-other = "\" octet-not-qspecial
    // RFC 5228 §2.4.2: a backslash before any other character is dropped, the character kept.
    private mutating func quotedString() throws(SieveError) -> SieveToken.Kind {
        let start = location
        advance()
        var text: [UInt8] = []
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                advance()
                return .string(String(decoding: text, as: UTF8.self))
            case UInt8(ascii: "\\"):
                advance()
                guard index < bytes.count else { break }
                text.append(contentsOf: try content(in: "string"))
            default:
                text.append(contentsOf: try content(in: "string"))
            }
        }
        throw SieveError("unterminated string", at: start)
    }

    // multi-line = "text:" *(SP / HTAB) (hash-comment / CRLF)
    //              *(multiline-literal / multiline-dotstart) "." CRLF
    // RFC 5228 §2.4.2: a line "." ends the string; a line starting ".." loses its first dot.
    // The lines keep the line ends they were written with.
    private mutating func multiLineString(start: SourceLocation) throws(SieveError) -> SieveToken.Kind {
        advance()  // ":"
        while index < bytes.count, bytes[index] == .space || bytes[index] == .tab { advance() }
        if index < bytes.count, bytes[index] == UInt8(ascii: "#") {
            try hashComment()
        } else if index < bytes.count, bytes[index] == .lineFeed
                    || (bytes[index] == .carriageReturn && peek(1) == .lineFeed) {
            _ = try content(in: "script")
        } else {
            throw SieveError("expected end of line after \"text:\"", at: location)
        }
        var text: [UInt8] = []
        while index < bytes.count {
            let lineStart = index
            var ended = false
            while index < bytes.count, !ended {
                ended = try content(in: "string").last == .lineFeed
            }
            var line = bytes[lineStart..<index]
            let body = line.prefix { $0 != .carriageReturn && $0 != .lineFeed }
            if body.count == 1, body.first == UInt8(ascii: ".") {
                return .string(String(decoding: text, as: UTF8.self))
            }
            if body.starts(with: [UInt8(ascii: "."), UInt8(ascii: ".")]) {
                line = line.dropFirst()
            }
            if !ended { break }  // the last line of the script, without "." after it
            text.append(contentsOf: line)
        }
        throw SieveError("unterminated multi-line string (no line with only \".\")", at: start)
    }

    // MARK: - Bytes

    /// Consumes one character of a string or comment and returns its bytes: a whole UTF-8
    /// scalar, or a CRLF pair. Refuses NUL, a bare CR and invalid UTF-8.
    private mutating func content(in context: String) throws(SieveError) -> ArraySlice<UInt8> {
        let start = index
        switch bytes[index] {
        case 0:
            throw SieveError("NUL byte in \(context)", at: location)
        case .carriageReturn:
            guard peek(1) == .lineFeed else { throw SieveError("bare carriage return in \(context)", at: location) }
            advance()
            advance()
        case 0x80...:
            guard let length = scalarLength(at: index) else { throw SieveError("invalid UTF-8 in \(context)", at: location) }
            for _ in 0..<length { advance() }
        default:
            advance()
        }
        return bytes[start..<index]
    }

    private func unexpectedCharacter() -> SieveError {
        let byte = bytes[index]
        if byte == 0 { return SieveError("NUL byte in script", at: location) }
        if byte >= 0x80 {
            guard let length = scalarLength(at: index) else { return SieveError("invalid UTF-8 in script", at: location) }
            let text = String(decoding: bytes[index..<index + length], as: UTF8.self)
            return SieveError("unexpected character \"\(text)\"", at: location)
        }
        if byte < 0x20 || byte == 0x7F {
            let hex = String(byte, radix: 16, uppercase: true)
            return SieveError("unexpected control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex)", at: location)
        }
        return SieveError("unexpected character \"\(Character(Unicode.Scalar(byte)))\"", at: location)
    }

    /// The length of the well-formed UTF-8 scalar at `start` (RFC 3629 §4), or nil.
    private func scalarLength(at start: Int) -> Int? {
        let lead = bytes[start]
        let length: Int
        let second: ClosedRange<UInt8>
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
        case 0xED: (length, second) = (3, 0x80...0x9F)
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
        case 0xF4: (length, second) = (4, 0x80...0x8F)
        default: return nil
        }
        guard start + length <= bytes.count, second.contains(bytes[start + 1]) else { return nil }
        for offset in 2..<max(length, 2) where !(0x80...0xBF).contains(bytes[start + offset]) { return nil }
        return length
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() {
        let byte = bytes[index]
        if byte == .carriageReturn || (byte == .lineFeed && (index == 0 || bytes[index - 1] != .carriageReturn)) {
            lastLineBreak = location
        }
        if byte == .lineFeed {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
        index += 1
    }
}

extension UInt8 {
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let lineFeed = UInt8(ascii: "\n")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")

    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var isIdentifierStart: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) || self == UInt8(ascii: "_")
    }
}
