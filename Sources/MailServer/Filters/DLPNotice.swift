import DataLossPrevention
import MailMessage
import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The notice a `notify` rule sends: a plain-text message (RFC 5322) naming the rule, what it
/// found, the envelope and the subject — never the matched text, so the notice carries no card
/// number or IBAN further. Sent from the null reverse-path, marked `Auto-Submitted` (RFC 3834 §5)
/// so nothing answers it.
enum DLPNotice {
    static func make(hit: DLPHit, envelope: Envelope, subject: String?, transaction: String, archived: String?,
                     hostname: String, to address: String, date: Date) -> [UInt8] {
        let token = UniqueToken.random()
        let lines = [
            "From: Data-loss prevention <postmaster@\(hostname)>",
            "To: <\(address)>",
            "Subject: DLP rule \(hit.rule) matched outgoing mail from \(envelope.mailFrom)",
            "Date: \(DateWriter.utcDateTime(date))",
            "Message-ID: <\(token).dlp@\(hostname)>",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            "The data-loss prevention rule \"\(hit.rule)\" matched a message sent through \(hostname).",
            "",
            "Found:       \(hit.found.joined(separator: ", "))",
            "Action:      \(hit.action.word) (the message was delivered)",
            "Sender:      <\(envelope.mailFrom)>",
            "Recipients:  \(envelope.recipients.map { "<\($0)>" }.joined(separator: " "))",
            "Subject:     \(printable(subject ?? ""))",
            "Transaction: \(transaction)",
            "Archived as: \(archived ?? "-")",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// A header value on one line (no CR/LF that would start a new field).
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.prefix(200).map(Character.init))
    }
}
