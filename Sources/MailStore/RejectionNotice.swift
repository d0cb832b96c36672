import MailMessage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The message that tells a sender a Sieve `reject`/`ereject` refused their message after the SMTP
/// transaction was over: RFC 5429 §2.1 says to send it as an MDN (RFC 8098, formerly RFC 3798) with
/// the disposition `automatic-action/MDN-sent-automatically; deleted`, the reason in the
/// human-readable part, and the original header as `text/rfc822-headers` (RFC 6522 §3). It goes
/// out with the null reverse-path (RFC 5429 §2.1, RFC 5321 §4.5.5), so no reply to it can loop,
/// and is never sent for a message that itself came with the null reverse-path.
enum RejectionNotice {
    /// The notice's bytes (CRLF lines). `recipient` is the user whose script rejected the message;
    /// `sender` the original envelope sender the notice goes to.
    static func make(original: Message, reason: String, recipient: String, sender: String, date: Date,
                     boundaryToken: String = UniqueToken.random()) -> [UInt8] {
        let domain = recipient.split(separator: "@").last.map(String.init) ?? "localhost"
        let boundary = "tresor-mdn-\(boundaryToken)"
        var subject = "Rejected message"
        if let original = original.subject, !original.isEmpty, original.utf8.count <= 200,
            original.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            subject = "Rejected: \(original)"
        }
        var text = """
            From: Mail Delivery System <postmaster@\(domain)>
            To: <\(sender)>
            Subject: \(subject)
            Date: \(DateWriter.utcDateTime(date))
            Message-ID: <\(boundaryToken).rejection@\(domain)>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=disposition-notification;
             boundary="\(boundary)"

            This is a MIME-formatted message.

            --\(boundary)
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            Your message to <\(recipient)> was rejected by the recipient's mail filter:

            \(crlfLines(reason))

            --\(boundary)
            Content-Type: message/disposition-notification

            Reporting-UA: \(domain); Tresor
            Final-Recipient: rfc822; \(recipient)

            """
        if let id = original.messageID { text += "Original-Message-ID: <\(id)>\n" }
        text += """
            Disposition: automatic-action/MDN-sent-automatically; deleted

            --\(boundary)
            Content-Type: text/rfc822-headers

            \(crlfLines(String(decoding: headerBytes(of: original), as: UTF8.self)))
            --\(boundary)--

            """
        return Array(crlfLines(text).utf8)
    }

    /// The original header without the empty line that ends it.
    private static func headerBytes(of message: Message) -> ArraySlice<UInt8> {
        var header = message.raw[message.header.range]
        while let last = header.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            header = header.dropLast()
        }
        return header
    }

    /// Every line break (CRLF, LF or a lone CR) as CRLF, as the wire wants (RFC 5322 §2.1).
    static func crlfLines(_ text: String) -> String {
        var result = "", pendingCR = false
        result.reserveCapacity(text.utf8.count + 64)
        for scalar in text.unicodeScalars {
            if pendingCR {
                result += "\r\n"
                pendingCR = false
                if scalar == "\n" { continue }
            }
            switch scalar {
            case "\r": pendingCR = true
            case "\n": result += "\r\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        if pendingCR { result += "\r\n" }
        return result
    }
}
