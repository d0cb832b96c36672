#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decoded values of the top-level header fields (RFC 5322 §3.6), computed from `header` on each
/// access: parsing them is cheap and most callers read only a few.
extension Message {
    /// Subject (RFC 5322 §3.6.5), unfolded and RFC 2047 decoded; nil when absent.
    public var subject: String? {
        header.first(named: "Subject").map { EncodedWords.decode($0, fallbackCharset: fallbackCharset(for: $0)) }
    }

    /// For a value with raw 8-bit bytes: the charset the message declares for its first text part
    /// (other than US-ASCII and UTF-8), which old mailers also used, undeclared, in the header.
    /// Mail clients read such headers that way; `EncodedWords` uses it when the bytes are not UTF-8.
    func fallbackCharset(for value: [UInt8]) -> String? {
        guard value.contains(where: { $0 >= 0x80 }) else { return nil }
        for part in parts where part.contentType.type == "text" {
            guard let charset = part.contentType.parameters["charset"]?.lowercased() else { continue }
            return charset == "us-ascii" || charset == "utf-8" || charset == "utf8" ? nil : charset
        }
        return nil
    }

    /// From (RFC 5322 §3.6.2).
    public var from: [Address] { addresses("From") }
    /// Sender (RFC 5322 §3.6.2).
    public var sender: [Address] { addresses("Sender") }
    /// Reply-To (RFC 5322 §3.6.2).
    public var replyTo: [Address] { addresses("Reply-To") }
    /// To (RFC 5322 §3.6.3), all To fields together.
    public var to: [Address] { addresses("To") }
    /// Cc (RFC 5322 §3.6.3), all Cc fields together.
    public var cc: [Address] { addresses("Cc") }
    /// Bcc (RFC 5322 §3.6.3), all Bcc fields together.
    public var bcc: [Address] { addresses("Bcc") }

    /// Date (RFC 5322 §3.6.1, obsolete forms of §4.3 accepted); nil when absent or unreadable.
    public var date: Date? { header.first(named: "Date").flatMap { DateParser.parse($0) } }

    /// Message-ID (RFC 5322 §3.6.4) without angle brackets.
    public var messageID: String? { header.first(named: "Message-ID").flatMap { MessageID.parse($0) } }
    /// In-Reply-To (RFC 5322 §3.6.4), identifiers without angle brackets.
    public var inReplyTo: [String] { header.first(named: "In-Reply-To").map { MessageID.parseList($0) } ?? [] }
    /// References (RFC 5322 §3.6.4), identifiers without angle brackets.
    public var references: [String] { header.first(named: "References").map { MessageID.parseList($0) } ?? [] }

    /// Every part's file name (see `MIMEPart.fileName`), in tree order.
    public var attachmentFileNames: [String] { parts.compactMap(\.fileName) }

    /// Whether any part is an attachment: disposition "attachment"
    /// (RFC 2183 §2.2), or a file name on a part that is not a multipart.
    public var hasAttachments: Bool {
        parts.contains { part in
            guard !part.isMultipart else { return false }
            if part.disposition?.kind == "attachment" { return true }
            return part.fileName != nil
        }
    }

    /// The addresses of every field with this name, in order (RFC 5322 §3.6 allows one To,
    /// Cc and Bcc each, but real mail repeats them).
    public func addresses(_ name: String) -> [Address] {
        header.all(named: name).flatMap { AddressParser.parseList($0, fallbackCharset: fallbackCharset(for: $0)) }
    }
}
