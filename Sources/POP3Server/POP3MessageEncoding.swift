import NIOCore

/// How a stored message goes over the wire in RETR and TOP (RFC 1939 §3, §7): lines end in CRLF
/// (a bare LF in the stored bytes becomes CRLF), a line starting with "." gets another "."
/// in front, the last line is ended with CRLF if the message did not end so, and ".CRLF" ends
/// the response. The stored bytes are otherwise sent exactly.
public enum POP3MessageEncoding {
    /// The size LIST, STAT and the RETR status line report: the octets of the message with CRLF
    /// line ends and a final CRLF, before dot-stuffing.
    public static func transmittedSize(of message: some Collection<UInt8>) -> Int {
        var size = 0
        var previous: UInt8 = 0
        for byte in message {
            if byte == 0x0A && previous != 0x0D { size += 1 }
            size += 1
            previous = byte
        }
        if previous != 0x0A && !message.isEmpty { size += 2 }
        return size
    }

    /// The message (all of it, or for TOP the header, the blank line and `bodyLines` lines of
    /// the body), dot-stuffed and ended with ".CRLF", appended to `buffer`.
    public static func encode(_ message: [UInt8], bodyLines: Int? = nil, into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(buffer.writerIndex + message.count + message.count / 64 + 8)
        var lineStart = 0
        var inBody = false
        var bodyLinesSent = 0
        while lineStart < message.count {
            if let limit = bodyLines, inBody, bodyLinesSent >= limit { break }
            let newline = message[lineStart...].firstIndex(of: 0x0A)
            var contentEnd = newline ?? message.count
            if contentEnd > lineStart, newline != nil, message[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if message[lineStart] == UInt8(ascii: ".") { buffer.writeInteger(UInt8(ascii: ".")) }
            buffer.writeBytes(message[lineStart..<contentEnd])
            buffer.writeBytes([0x0D, 0x0A])
            if inBody {
                bodyLinesSent += 1
            } else if contentEnd == lineStart {
                inBody = true  // the empty line between header and body (RFC 5322 §2.1)
            }
            lineStart = (newline ?? message.count - 1) + 1
        }
        buffer.writeBytes([UInt8(ascii: "."), 0x0D, 0x0A])
    }
}
