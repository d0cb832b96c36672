import MailMessage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A delivery status notification (RFC 3464) telling a sender that their message could not be
/// delivered to some recipients: `multipart/report; report-type=delivery-status` (RFC 6522) with
/// a human-readable part, the `message/delivery-status` part (per-message fields, then one block
/// per recipient) and the original header as `text/rfc822-headers` (RFC 6522 §3; the body is left
/// out, as RFC 3464 §5 allows). It goes out from the null reverse-path (RFC 5321 §4.5.5), so
/// nobody answers it with another bounce.
public struct DeliveryStatusNotification: Sendable {
    public struct Recipient: Sendable, Hashable {
        /// The address as it was given to RCPT TO.
        public var address: String
        /// RFC 3463 status, e.g. "5.1.1", "4.4.7".
        public var status: String
        /// The remote server that answered (RFC 3464 §2.3.5), if one did.
        public var remoteMTA: String?
        /// The server's reply, or our own reason ("smtp; 550 5.1.1 no such user").
        public var diagnostic: String
        public var lastAttempt: Date?
        public init(address: String, status: String, remoteMTA: String?, diagnostic: String, lastAttempt: Date?) {
            self.address = address
            self.status = status
            self.remoteMTA = remoteMTA
            self.diagnostic = diagnostic
            self.lastAttempt = lastAttempt
        }
    }

    /// This server's name (Reporting-MTA, the From domain).
    public var reportingMTA: String
    /// The original envelope sender: the DSN's recipient.
    public var sender: String
    public var recipients: [Recipient]
    /// The original message's bytes (only its header is included).
    public var original: [UInt8]
    public var arrivalDate: Date?
    public var date: Date

    public init(reportingMTA: String, sender: String, recipients: [Recipient], original: [UInt8],
                arrivalDate: Date?, date: Date) {
        self.reportingMTA = reportingMTA
        self.sender = sender
        self.recipients = recipients
        self.original = original
        self.arrivalDate = arrivalDate
        self.date = date
    }

    /// The notification's bytes (CRLF lines). `token` makes the boundary and Message-ID unique.
    public func encoded(token: String = UniqueToken.random()) -> [UInt8] {
        let boundary = "tresor-dsn-\(token)"
        let message = Message(parsing: original)
        var subject = "Undelivered Mail Returned to Sender"
        if let original = message.subject, !original.isEmpty, original.utf8.count <= 200,
           original.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            subject += ": \(original)"
        }
        var lines: [String] = [
            "From: Mail Delivery System <MAILER-DAEMON@\(reportingMTA)>",
            "To: <\(sender)>",
            "Subject: \(subject)",
            "Date: \(DateWriter.utcDateTime(date))",
            "Message-ID: <\(token).dsn@\(reportingMTA)>",
            "Auto-Submitted: auto-replied",
            "MIME-Version: 1.0",
            "Content-Type: multipart/report; report-type=delivery-status;",
            " boundary=\"\(boundary)\"",
            "",
            "This is a MIME-formatted delivery status notification.",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            "This is the mail system at \(reportingMTA).",
            "",
            "Your message could not be delivered to the following recipient\(recipients.count == 1 ? "" : "s"):",
            "",
        ]
        for recipient in recipients {
            lines.append("<\(recipient.address)>: \(Self.oneLine(recipient.diagnostic))")
        }
        lines += ["", "--\(boundary)", "Content-Type: message/delivery-status", ""]
        // RFC 3464 §2.2: the per-message fields.
        lines.append("Reporting-MTA: dns; \(reportingMTA)")
        if let arrivalDate { lines.append("Arrival-Date: \(DateWriter.utcDateTime(arrivalDate))") }
        // RFC 3464 §2.3: one block per recipient, each after an empty line.
        for recipient in recipients {
            lines.append("")
            lines.append("Final-Recipient: rfc822; \(recipient.address)")
            lines.append("Action: failed")
            lines.append("Status: \(recipient.status)")
            if let remote = recipient.remoteMTA { lines.append("Remote-MTA: dns; \(remote)") }
            lines.append("Diagnostic-Code: smtp; \(Self.oneLine(recipient.diagnostic))")
            if let last = recipient.lastAttempt { lines.append("Last-Attempt-Date: \(DateWriter.utcDateTime(last))") }
        }
        lines += ["", "--\(boundary)", "Content-Type: text/rfc822-headers", ""]
        var text = lines.joined(separator: "\r\n") + "\r\n"
        text += String(decoding: MessageWireEncoding.canonicalLines(Array(headerBytes(of: message))), as: UTF8.self)
        text += "\r\n--\(boundary)--\r\n"
        return Array(text.utf8)
    }

    /// The original header without the empty line that ends it.
    private func headerBytes(of message: Message) -> ArraySlice<UInt8> {
        var header = message.raw[message.header.range]
        while let last = header.last, last == 0x0A || last == 0x0D { header = header.dropLast() }
        return header
    }

    /// Control characters (a server's multi-line text, CR, LF) as spaces: one header line.
    static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }
}
