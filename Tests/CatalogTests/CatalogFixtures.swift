import ArchiveStore
import Foundation
import MailMessage

@testable import Catalog
@testable import QueryLanguage
import StoreModel

/// Builds index items from literal RFC 5322 text, with made-up archive locations.
struct CatalogFixtures {
    private(set) var nextOffset: UInt64 = 0

    /// A 64-hex-digit stand-in for a SHA-256: `sharedPrefix`, then `n` as 8 hex digits, repeated.
    static func fakeSHA256(_ n: Int, sharedPrefix: String = "") -> String {
        let eight = String(repeating: "0", count: 8 - String(n, radix: 16).count) + String(n, radix: 16)
        var hex = sharedPrefix
        while hex.count < 64 { hex += eight }
        return String(hex.prefix(64))
    }

    static func date(_ text: String) -> Date {
        let period = DatePeriod(parsing: String(text.prefix(10)))!
        var seconds = Double(period.start)
        if text.count > 10 {  // "YYYY-MM-DD HH"
            seconds += Double(Int(text.suffix(2))!) * 3600
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// `raw` uses LF line ends in the test source; messages are stored with CRLF.
    mutating func item(
        _ raw: String, sha256: String, direction: Direction = .inbound, source: MessageSource = MessageSource("smtp"),
        mailFrom: String = "", recipients: [String] = [], receivedAt: String = "2025-01-01"
    ) -> IndexItem {
        let bytes = Array(raw.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let message = Message(parsing: bytes)
        nextOffset += 1000
        let receipt = AppendReceipt(
            sha256: sha256, body: RecordLocation(segment: 1, offset: nextOffset),
            envelope: RecordLocation(segment: 1, offset: nextOffset + 500), deduplicated: false, size: bytes.count)
        let envelope = Envelope(
            mailFrom: mailFrom, recipients: recipients, receivedAt: Self.date(receivedAt), direction: direction,
            source: source)
        return IndexItem(message: message, receipt: receipt, envelope: envelope)
    }
}
