import FuzzSupport
import IMAPServer
import MailMessage

/// One input is one message, as it arrives over SMTP or APPEND. Everything Tresor derives from
/// a message is computed: the parse, its header fields, the text for the index, each part's
/// decoded body, and what IMAP FETCH writes (BODYSTRUCTURE, BODY, ENVELOPE, body sections,
/// BINARY). Nothing may crash, hang or grow without bound, and every IMAP structure written must
/// be well formed (balanced parentheses, literals as long as announced).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIME(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = fuzzInput(data, size)
    for bytes in [raw, IMAPMessageEncoding.crlf(raw)] {
        let message = Message(parsing: bytes)
        _ = (message.subject, message.from, message.sender, message.replyTo, message.to, message.cc, message.bcc)
        _ = (message.date, message.messageID, message.inReplyTo, message.references)
        _ = (message.attachmentFileNames, message.hasAttachments)
        _ = message.plainText(limit: 1 << 16)
        IMAPSyntaxCheck.wellFormed(IMAPBodyStructure.encode(message, extensible: true))
        IMAPSyntaxCheck.wellFormed(IMAPBodyStructure.encode(message, extensible: false, utf8Enabled: true))
        IMAPSyntaxCheck.wellFormed(IMAPEnvelope.encode(message))
        IMAPSyntaxCheck.wellFormed(IMAPEnvelope.encode(message, utf8Enabled: true))
        for part in message.parts.prefix(64) {
            _ = part.decodedBody(in: message.raw)
            _ = part.text(in: message.raw)
            if let header = part.encapsulatedHeader {
                IMAPSyntaxCheck.wellFormed(IMAPEnvelope.encode(header: header, in: message.raw))
            }
            let path = part.partNumber.split(separator: ".").compactMap { Int($0) }
            for kind in [IMAPSection.Kind.complete, .header, .text, .mime, .headerFields(["subject", "from"])] {
                _ = IMAPBodySection.extract(IMAPSection(part: path, kind: kind), from: message)
            }
            _ = IMAPBodySection.binary(part: path, from: message)
        }
    }
    return 0
}

/// Checks what an IMAP response item must be (RFC 9051 §9): parentheses balance outside strings,
/// a quoted string ends, and a literal `{n}` CRLF is followed by n octets. Traps otherwise, so
/// that libFuzzer keeps the input.
enum IMAPSyntaxCheck {
    static func wellFormed(_ bytes: [UInt8]) {
        var depth = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                precondition(depth >= 0, "unbalanced \")\" at \(index)")
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    precondition(bytes[index] != 0x0D && bytes[index] != 0x0A, "CR or LF in a quoted string")
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                precondition(index < bytes.count, "unterminated quoted string")
            case UInt8(ascii: "{"):
                var end = index + 1
                var count = 0
                while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39 {
                    count = count * 10 + Int(bytes[end] - 0x30)
                    end += 1
                }
                precondition(end + 2 < bytes.count && bytes[end] == UInt8(ascii: "}")
                             && bytes[end + 1] == 0x0D && bytes[end + 2] == 0x0A, "malformed literal at \(index)")
                index = end + 2 + count  // the literal's last octet (or its LF when empty)
                precondition(index < bytes.count, "literal longer than the response")
            default:
                break
            }
            index += 1
        }
        precondition(depth == 0, "unbalanced \"(\"")
    }
}

@main
enum FuzzMIMEMain {
    static func main() { runLibFuzzer(fuzzMIME) }
}
