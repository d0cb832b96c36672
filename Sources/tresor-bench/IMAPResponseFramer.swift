/// One complete server response as the benchmark client sees it (RFC 9051 §2.2.2, §7): the
/// kind from its first token, its text with the literals' contents left out, and its size.
struct IMAPBenchResponse: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// `* …` (RFC 9051 §7.1–7.5).
        case untagged
        /// `+ …`, a command continuation request (RFC 9051 §7.6).
        case continuation
        /// `tag OK|NO|BAD …`, the completion of the command with this tag (RFC 9051 §7.1).
        case tagged(String)
    }

    var kind: Kind
    /// Everything after the first token and its space, without CRLFs and without the bytes of
    /// any literal; the `{n}` announcing a literal stays, so the text still reads as IMAP.
    var text: [UInt8]
    /// Bytes of literal contents in the response (message bodies for `BODY[]`).
    var literalBytes: Int
    /// Bytes on the wire: the text, literals and line ends.
    var wireBytes: Int

    /// The status of a tagged response, upper-cased (`OK`, `NO`, `BAD`); empty otherwise.
    var status: String {
        guard case .tagged = kind else { return "" }
        return String(decoding: text.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self).uppercased()
    }

    var textString: String { String(decoding: text, as: UTF8.self) }
}

struct IMAPFramingError: Error, CustomStringConvertible {
    var description: String
}

/// Splits the bytes a server sends into responses. A response is a CRLF-terminated line, but a
/// line ending in `{n}` (or `~{n}`, literal8 of RFC 3516 §4.2) announces a literal: exactly n
/// bytes follow and the response continues after them (RFC 9051 §4.3). Literal contents are
/// counted and dropped as they arrive, so a 40 MB `FETCH 1:* BODY.PEEK[]` never sits in memory.
/// A pure value: bytes in, responses out; it does no I/O.
struct IMAPResponseFramer {
    /// A line of text (not literal content) longer than this is refused: a server that never
    /// sends CRLF must not make the client grow without bound.
    let maximumTextLength: Int

    private var pending: [UInt8] = []
    private var start = 0
    private var text: [UInt8] = []
    private var literalRemaining = 0
    private var literalBytes = 0
    private var wireBytes = 0

    init(maximumTextLength: Int = 16 << 20) {
        self.maximumTextLength = maximumTextLength
    }

    /// Bytes received and not yet part of a returned response or a dropped literal.
    var bufferedBytes: Int { pending.count - start }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start >= pending.count / 2 {
            pending.removeSubrange(..<start)
            start = 0
        }
        pending.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete response, or nil when more bytes are needed.
    mutating func nextResponse() throws(IMAPFramingError) -> IMAPBenchResponse? {
        while true {
            if literalRemaining > 0 {
                let taken = min(literalRemaining, pending.count - start)
                start += taken
                literalRemaining -= taken
                literalBytes += taken
                wireBytes += taken
                if literalRemaining > 0 { return nil }
            }
            guard let lf = pending[start...].firstIndex(of: 0x0A) else {
                guard text.count + (pending.count - start) <= maximumTextLength else {
                    throw IMAPFramingError(description: "response line longer than \(maximumTextLength) bytes")
                }
                return nil
            }
            let end = lf > start && pending[lf - 1] == 0x0D ? lf - 1 : lf
            text.append(contentsOf: pending[start..<end])
            wireBytes += lf + 1 - start
            start = lf + 1
            guard text.count <= maximumTextLength else {
                throw IMAPFramingError(description: "response line longer than \(maximumTextLength) bytes")
            }
            if let length = try Self.announcedLiteral(atEndOf: text) {
                literalRemaining = length
                continue
            }
            return finishResponse()
        }
    }

    private mutating func finishResponse() -> IMAPBenchResponse {
        defer { text = []; literalBytes = 0; wireBytes = 0 }
        let firstSpace = text.firstIndex(of: UInt8(ascii: " "))
        let token = text[..<(firstSpace ?? text.count)]
        let rest = firstSpace.map { Array(text[($0 + 1)...]) } ?? []
        let kind: IMAPBenchResponse.Kind
        switch token.first {
        case UInt8(ascii: "*") where token.count == 1: kind = .untagged
        case UInt8(ascii: "+") where token.count == 1: kind = .continuation
        default: kind = .tagged(String(decoding: token, as: UTF8.self))
        }
        return IMAPBenchResponse(kind: kind, text: rest, literalBytes: literalBytes, wireBytes: wireBytes)
    }

    /// The length n when `line` ends with `{n}`, `{n+}` or `~{n}` (RFC 9051 §4.3, RFC 7888 §3).
    // literal = "{" number64 ["+"] "}" CRLF *CHAR8
    static func announcedLiteral(atEndOf line: [UInt8]) throws(IMAPFramingError) -> Int? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var index = line.count - 2
        if index >= 0 && line[index] == UInt8(ascii: "+") { index -= 1 }
        let digitsEnd = index + 1
        while index >= 0 && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[index]) { index -= 1 }
        guard index >= 0, line[index] == UInt8(ascii: "{"), index + 1 < digitsEnd else { return nil }
        guard digitsEnd - (index + 1) <= 18,
              let length = Int(String(decoding: line[(index + 1)..<digitsEnd], as: UTF8.self)) else {
            throw IMAPFramingError(description: "literal length out of range")
        }
        return length
    }
}
