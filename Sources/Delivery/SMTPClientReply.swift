import NIOCore

/// A server's reply as the client reads it (RFC 5321 §4.2): a three-digit code, the text of each
/// line, and the enhanced status code (RFC 3463) when the first line's text starts with one
/// (RFC 2034 §4).
public struct SMTPClientReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// The text of each line, after the code and its separator.
    public var lines: [String]
    /// "class.subject.detail", e.g. "5.1.1"; nil when the server sent none.
    public var enhancedCode: String?

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
        self.enhancedCode = lines.first.flatMap(Self.enhancedCode(in:))
    }

    /// 2xx and 3xx (RFC 5321 §4.2.1).
    public var isPositive: Bool { code >= 200 && code < 400 }
    /// 4xx: try again later (RFC 5321 §4.2.1, "transient negative completion").
    public var isTransient: Bool { code >= 400 && code < 500 }
    /// 5xx: do not try this again (RFC 5321 §4.2.1, "permanent negative completion").
    public var isPermanent: Bool { code >= 500 }

    /// The status for a DSN (RFC 3464 §2.3.4): the server's enhanced code when its class agrees
    /// with the reply code, else the generic one of the reply's class (RFC 3463 §3.1).
    public var status: String {
        let klass = code / 100
        if let enhancedCode, enhancedCode.first.map({ String($0) }) == String(klass) { return enhancedCode }
        return klass == 2 ? "2.0.0" : klass == 4 ? "4.0.0" : "5.0.0"
    }

    /// The reply as one line, for logs, the queue and a DSN's Diagnostic-Code (RFC 3464 §2.3.6).
    public var description: String {
        "\(code) " + lines.joined(separator: " ")
    }

    /// RFC 3463 §2: status-code = class "." subject "." detail; class 2, 4 or 5; subject and detail
    /// 1–3 digits.
    static func enhancedCode(in text: String) -> String? {
        let word = text.prefix { $0 != " " }
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
              parts[1...].allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCIIDigitCharacter) })
        else { return nil }
        return String(word)
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { self >= "0" && self <= "9" }
}

/// Why a reply could not be read.
public enum SMTPReplyError: Error, Sendable, Hashable {
    /// A line that is not `code [("-" / SP) text]`, or a continuation with another code.
    case malformed(String)
    /// More lines than the client accepts in one reply.
    case tooManyLines
}

/// Collects the lines of one reply, multi-line ones included (RFC 5321 §4.2.1: every line but the
/// last has "-" after the code; all lines carry the same code).
public struct SMTPReplyAssembler: Sendable {
    public static let maximumLines = 256
    private var code: Int?
    private var lines: [String] = []

    public init() {}

    /// Adds one line (without CRLF). Returns the reply when this line was its last.
    public mutating func add(_ line: ByteBuffer) throws(SMTPReplyError) -> SMTPClientReply? {
        let bytes = Array(line.readableBytesView)
        let text = String(decoding: bytes, as: UTF8.self)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              (2...5).contains(bytes[0] - 0x30) else { throw .malformed(text) }
        let value = Int(bytes[0] - 0x30) * 100 + Int(bytes[1] - 0x30) * 10 + Int(bytes[2] - 0x30)
        if let code, code != value { throw .malformed(text) }
        code = value
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { throw .malformed(text) }
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if separator == UInt8(ascii: "-") {
            guard lines.count < Self.maximumLines else { throw .tooManyLines }
            return nil
        }
        let reply = SMTPClientReply(code: value, lines: lines)
        self = SMTPReplyAssembler()
        return reply
    }
}
