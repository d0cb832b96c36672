import Foundation
import MailStore

/// How search results are printed: a table for people, JSON and CSV for programs.
enum SearchOutput {
    static func json(_ hits: [SearchHit]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = Timestamp.jsonEncoding
        return String(decoding: try encoder.encode(hits), as: UTF8.self)
    }

    static let csvColumns = ["id", "date", "from", "to", "cc", "subject", "message_id", "size", "attachments", "direction", "source",
                             "received", "received_from"]

    static func csv(_ hits: [SearchHit]) -> String {
        var out = csvColumns.joined(separator: ",") + "\r\n"
        for hit in hits {
            let fields: [String] = [hit.id, hit.date.map(iso8601) ?? "", hit.from.joined(separator: ", "), hit.to.joined(separator: ", "),
                          hit.cc.joined(separator: ", "), hit.subject ?? "", hit.messageID ?? "", String(hit.size),
                          hit.attachments.joined(separator: "; "), hit.direction.rawValue, hit.source,
                          iso8601(hit.receivedAt), hit.receivedFrom.rawValue]
            out += fields.map(csvField).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// RFC 4180: quote a field that holds a comma, quote or line break; double inner quotes.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func table(_ hits: [SearchHit], width: Int?) -> String {
        var rows = [["DATE", "FROM", "TO", "SUBJECT", "ID"]]
        for hit in hits {
            rows.append([hit.date.map(shortDate) ?? "-", hit.from.first ?? "", hit.to.first.map { hit.to.count > 1 ? "\($0) +\(hit.to.count - 1)" : $0 } ?? "",
                         (hit.subject ?? "").replacingOccurrences(of: "\n", with: " "), String(hit.id.prefix(12))])
        }
        // Fixed widths for date and id; from, to and subject share what the terminal leaves.
        let available = (width ?? 200) - 16 - 12 - 8
        let fromWidth = min(28, max(12, available / 4)), toWidth = min(28, max(12, available / 4))
        let subjectWidth = max(10, available - fromWidth - toWidth)
        let widths = [16, fromWidth, toWidth, subjectWidth, 12]
        var out = ""
        for (index, row) in rows.enumerated() {
            out += zip(row, widths).map { pad(truncate($0, $1), $1) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
            if index > 0, let snippet = hits[index - 1].snippet {
                let line = "    " + snippetLabel(snippet) + ": " + snippet.marked
                out += (width.map { truncate(line, max(20, $0)) } ?? line) + "\n"
            }
        }
        return out
    }

    /// Where a snippet was cut from: "body", "subject", or "attachment contract.pdf (part 2)".
    static func snippetLabel(_ snippet: SearchSnippet) -> String {
        switch snippet.source {
        case .body, .subject: snippet.source.rawValue
        case .attachment: "attachment " + (snippet.attachment ?? "(no name)") + (snippet.part.map { " (part \($0))" } ?? "")
        }
    }

    /// The line under a table: how many matched, and which of them this page shows, e.g.
    /// "172 messages" or "showing 1-100 of 172 (use --limit/--offset for the others)".
    static func footer(_ page: SearchPage) -> String {
        let total = "\(page.total) message\(page.total == 1 ? "" : "s")"
        guard page.isPartial else { return total }
        if page.hits.isEmpty {
            return "showing none of \(total): --offset \(page.offset) is past the last (use --limit/--offset)"
        }
        let first = page.offset + 1, last = page.offset + page.hits.count
        return "showing \(first)-\(last) of \(total) (use --limit/--offset for the others)"
    }

    static func truncate(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : String(s.prefix(max(0, width - 1))) + "…"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 120
    }

    static func iso8601(_ date: Date) -> String { Timestamp.string(date) }

    /// "2025-07-01 08:00" in UTC, the same for every reader of a report.
    static func shortDate(_ date: Date) -> String {
        let s = Timestamp.string(date)  // 2025-07-01T08:00:00Z
        return String(s.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }
}
