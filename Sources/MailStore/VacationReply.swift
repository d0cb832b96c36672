import MailMessage
import Sieve
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bytes of a vacation reply (RFC 5230 §5):
/// - From: the `:from` address, else the user's (§5.4); To: the original envelope sender (§5.5);
/// - Subject: `:subject`, else "Auto: " and the original subject (§5.3), RFC 2047-encoded when
///   it is not ASCII;
/// - In-Reply-To: the original Message-ID, References: its References and Message-ID (§5.8);
/// - Auto-Submitted: auto-replied (§5.6, RFC 3834 §5), so that no responder answers it;
/// - the body: the reason as UTF-8 text, or with `:mime` the reason as the MIME entity (§4.8).
/// It goes out from the null reverse-path (RFC 5230 §5.1, RFC 3834 §3.3), so a failure to deliver
/// it bounces to nobody.
enum VacationReply {
    static func make(_ vacation: SieveVacation, original: Message, user: String, to recipient: String,
                     date: Date, token: String = UniqueToken.random()) -> [UInt8] {
        let domain = user.split(separator: "@").last.map(String.init) ?? "localhost"
        let subject = vacation.subject ?? "Auto: " + (original.subject ?? "")
        var header = """
            From: \(vacation.from ?? "<\(user)>")
            To: <\(recipient)>
            Subject: \(encodedWords(oneLine(subject)))
            Date: \(DateWriter.utcDateTime(date))
            Message-ID: <\(token).vacation@\(domain)>

            """
        if let id = original.messageID {
            header += "In-Reply-To: <\(id)>\n"
            header += "References: " + (original.references + [id]).map { "<\($0)>" }.joined(separator: "\n ") + "\n"
        }
        header += "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        if vacation.mime {
            // RFC 5230 §4.8: the reason is a MIME part, its own header fields first.
            return Array(RejectionNotice.crlfLines(header + vacation.reason).utf8)
        }
        let ascii = vacation.reason.unicodeScalars.allSatisfy { $0.value < 0x80 }
        header += "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: \(ascii ? "7bit" : "8bit")\n\n"
        var body = vacation.reason
        if !body.hasSuffix("\n") { body += "\n" }
        return Array(RejectionNotice.crlfLines(header + body).utf8)
    }

    /// Line breaks in a field value would start new fields; they become spaces.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }

    /// RFC 2047 §4.1 B-encoded words for text that is not printable ASCII, each at most 75
    /// characters (§2), split between characters (§5: never inside one UTF-8 sequence).
    static func encodedWords(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else { return text }
        var words: [String] = [], chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {  // 45 octets → 60 base64 characters + 12 of "=?utf-8?B??="
                words.append(chunk.base64Word)
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(chunk.base64Word) }
        return words.joined(separator: "\n ")
    }
}

extension [UInt8] {
    fileprivate var base64Word: String { "=?utf-8?B?" + Data(self).base64EncodedString() + "?=" }
}
