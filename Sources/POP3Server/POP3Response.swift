import NIOCore

/// The extended response codes of RFC 2449 §8 (and RFC 3206), written in brackets after `-ERR`.
public enum POP3ResponseCode: String, Hashable, Sendable {
    /// RFC 2449 §8.1.1: the maildrop is locked by another session.
    case inUse = "IN-USE"
    /// RFC 2449 §8.1.2: logged in too soon after the last session.
    case loginDelay = "LOGIN-DELAY"
    /// RFC 3206 §4: the failure is about the credentials (or their being refused here).
    case auth = "AUTH"
    /// RFC 3206 §5: a temporary system problem; trying later may work.
    case systemTemporary = "SYS/TEMP"
    /// RFC 3206 §5: a permanent system problem.
    case systemPermanent = "SYS/PERM"
}

/// One POP3 response (RFC 1939 §3): a status line, and for multi-line responses the lines that
/// follow it, which `encode` dot-stuffs and ends with the termination octet.
public struct POP3Response: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        case ok
        case error
        /// RFC 5034 §4: `+ ` and a base64 challenge, asking for the next SASL response.
        case continuation
    }

    public var status: Status
    public var code: POP3ResponseCode?
    public var text: String
    /// The lines of a multi-line response (RFC 1939 §3), without CRLF or dot-stuffing; nil for
    /// a single-line response.
    public var lines: [String]?

    public init(status: Status, code: POP3ResponseCode? = nil, text: String, lines: [String]? = nil) {
        self.status = status
        self.code = code
        self.text = text
        self.lines = lines
    }

    public static func ok(_ text: String, lines: [String]? = nil) -> POP3Response {
        POP3Response(status: .ok, text: text, lines: lines)
    }

    public static func error(_ text: String, code: POP3ResponseCode? = nil) -> POP3Response {
        POP3Response(status: .error, code: code, text: text)
    }

    /// The SASL continuation with an empty challenge (RFC 5034 §4: "+" and a space).
    public static let continuation = POP3Response(status: .continuation, text: "")

    /// The status line with CRLF, then any lines (dot-stuffed) and `.CRLF`.
    public func encode(into buffer: inout ByteBuffer) {
        switch status {
        case .ok: buffer.writeString("+OK")
        case .error: buffer.writeString("-ERR")
        case .continuation: buffer.writeString("+ ")
        }
        if let code { buffer.writeString(" [\(code.rawValue)]") }
        if !text.isEmpty {
            if status != .continuation { buffer.writeString(" ") }
            buffer.writeString(text)
        }
        buffer.writeString("\r\n")
        guard let lines else { return }
        for line in lines {
            // RFC 1939 §3: a line that starts with the termination octet gets one more.
            if line.utf8.first == UInt8(ascii: ".") { buffer.writeString(".") }
            buffer.writeString(line)
            buffer.writeString("\r\n")
        }
        buffer.writeString(".\r\n")
    }

    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }
}
