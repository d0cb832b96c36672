import Foundation
import MailStore
import Retention

/// The text `tresor retention` prints.
enum RetentionOutput {
    static func day(_ date: Date?) -> String { date.map(RetentionDate.day) ?? "-" }

    /// One line per policy: its settings and standing.
    static func table(_ evaluation: RetentionEvaluation) -> String {
        let header = ["POLICY", "ACTION", "RETAIN", "COUNT FROM", "LOCKED", "MATCHES", "GOVERNS", "OLDEST",
                      "NEXT EXPIRY", "DUE", "HELD"]
        var rows = [header]
        for s in evaluation.summaries {
            rows.append([s.name, s.action, s.retain, s.countFrom, s.locked ? "yes" : "no", "\(s.matches)",
                         "\(s.governs)", day(s.oldest), day(s.nextExpiry), "\(s.due)", "\(s.held)"])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var text = ""
        for row in rows {
            let cells = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            text += cells.joined(separator: "  ") + "\n"
        }
        return text
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

    /// `due <sha256> <policy> <action> expired <day>` (and ` held by A, B`).
    static func line(_ message: DueMessage, verb: String) -> String {
        var line = "\(verb) \(message.sha256) \(message.policy) \(message.action) expired \(day(message.expiredAt))"
        if !message.heldBy.isEmpty { line += " held by \(message.heldBy.joined(separator: ", "))" }
        return line
    }
}
