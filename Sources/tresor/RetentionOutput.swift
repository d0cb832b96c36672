import Foundation
import MailStore
import Retention

/// The text `tresor retention` prints.
enum RetentionOutput {
    static func day(_ date: Date?) -> String { date.map(RetentionDate.day) ?? "-" }

    /// One line per policy: its settings and standing. DUE and HELD count as the header line and
    /// the message lists do: due messages are the ones a run purges, held ones are kept by a hold.
    static func table(_ evaluation: RetentionEvaluation) -> String {
        let header = ["POLICY", "ACTION", "RETAIN", "COUNT FROM", "LOCKED", "MATCHES", "GOVERNS", "OLDEST",
                      "NEXT EXPIRY", "DUE", "HELD"]
        var rows = [header]
        for s in evaluation.summaries {
            rows.append([s.name + (s.fallback ? " (fallback)" : ""), s.action, s.retain, s.countFrom,
                         s.locked ? "yes" : "no", "\(s.matches)", "\(s.governs)", day(s.oldest), day(s.nextExpiry),
                         "\(s.due)", "\(s.held)"])
        }
        return aligned(rows)
    }

    /// Why a policy governs fewer messages than it matches: which policy governs the others, and by
    /// which rule. Empty when every policy governs all it matches.
    static func governsNotes(_ evaluation: RetentionEvaluation) -> String {
        var text = ""
        for s in evaluation.summaries where s.matches > s.governs {
            let others = s.governedByOthers.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\($0.key) governs \($0.value)" }.joined(separator: ", ")
            let rule = s.fallback
                ? "a fallback governs only the messages no other policy matches"
                : "its period ends later (the longest retention wins; on a tie, the action that removes less)"
            text += "  \(s.name) matches \(s.matches), governs \(s.governs); of the other \(s.matches - s.governs), "
                + "\(others) (\(rule))\n"
        }
        return text.isEmpty ? "" : "GOVERNS is less than MATCHES where another policy decides:\n" + text
    }

    /// The floors locked policies stamped at arrival: none of these messages is purged before its floor.
    static func floors(_ floors: [RetentionFloorSummary]) -> String {
        guard !floors.isEmpty else { return "" }
        var text = "floors stamped at arrival (never purged earlier, whatever the policy files say now):\n"
        for floor in floors {
            text += "  \(floor.policy) [policy text \(floor.policyHash.prefix(12))]: \(floor.messages) message(s) kept until "
                + "\(day(floor.earliest))\(floor.latest > floor.earliest ? " … \(day(floor.latest))" : "")\n"
        }
        return text
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = Timestamp.jsonEncoding
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `title N message(s):` and a table of them, one row each: id (12 digits, which `tresor show`
    /// takes), date (the Date header, else the received time), sender, subject, policy, action, when
    /// the period ended, and the holds that keep it. Nothing when `messages` is empty.
    static func messages(_ title: String, _ messages: [DueMessage], headlines: [String: MessageHeadline]) -> String {
        guard !messages.isEmpty else { return "" }
        let showHolds = messages.contains { !$0.heldBy.isEmpty }
        var rows = [["ID", "DATE", "FROM", "SUBJECT", "POLICY", "ACTION", "EXPIRED"] + (showHolds ? ["HELD BY"] : [])]
        for message in messages {
            let headline = headlines[message.sha256]
            let date = headline.map { SearchOutput.shortDate($0.date ?? $0.receivedAt) } ?? "-"
            let from = headline?.from.first ?? "-"
            let subject = (headline?.subject ?? "").replacingOccurrences(of: "\n", with: " ")
            var row = [String(message.sha256.prefix(12)), date, SearchOutput.truncate(from, 32),
                       SearchOutput.truncate(subject.isEmpty ? "-" : subject, 40), message.policy, message.action,
                       day(message.expiredAt)]
            if showHolds { row.append(message.heldBy.joined(separator: ", ")) }
            rows.append(row)
        }
        return "\(title) \(messages.count) message(s):\n" + aligned(rows, indent: "  ")
    }

    /// Rows in columns two spaces apart; the last column is not padded.
    static func aligned(_ rows: [[String]], indent: String = "") -> String {
        var widths = Array(repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var text = ""
        for row in rows {
            let cells = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            text += indent + cells.joined(separator: "  ") + "\n"
        }
        return text
    }
}
