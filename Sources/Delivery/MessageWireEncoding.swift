/// A stored message as SMTP DATA carries it (RFC 5321 §4.1.1.4, §4.5.2).
public enum MessageWireEncoding {
    /// Every line break as CRLF (a bare LF or CR becomes CRLF: RFC 5321 §2.3.8 allows nothing
    /// else on the wire), ending in CRLF. This is the text DKIM signs and the server receives.
    public static func canonicalLines(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 32 + 2)
        var index = 0
        while index < message.count {
            let byte = message[index]
            if byte == 0x0D {
                out.append(0x0D); out.append(0x0A)
                index += (index + 1 < message.count && message[index + 1] == 0x0A) ? 2 : 1
                continue
            }
            if byte == 0x0A { out.append(0x0D) }
            out.append(byte)
            index += 1
        }
        if out.count < 2 || out[out.count - 2] != 0x0D || out[out.count - 1] != 0x0A {
            out.append(0x0D); out.append(0x0A)
        }
        return out
    }

    /// DATA's payload: `lines` (already CRLF, from `canonicalLines`) with a "." doubled at the start
    /// of every line (RFC 5321 §4.5.2), then the end of data "." CRLF.
    public static func dotStuffed(_ lines: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.count + 64)
        var atLineStart = true
        for byte in lines {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = byte == 0x0A
        }
        out += Array(".\r\n".utf8)
        return out
    }

    /// Whether any byte is outside 7-bit ASCII: the message then needs BODY=8BITMIME (RFC 6152 §3).
    public static func hasEightBitBytes(_ message: [UInt8]) -> Bool {
        message.contains { $0 >= 0x80 }
    }
}
