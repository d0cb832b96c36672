import Foundation  // JSONSerialization is not in FoundationEssentials
import MailMessage

/// The fields that `Fixtures/generate_expectations.py` records, computed from a `Message` with
/// the same normalisation (documented at the top of that script), as JSON-compatible values.
enum CorpusFields {
    static let names = ["subject", "from", "to", "date", "message_id", "types", "filenames"]

    static func actual(_ message: Message) -> [String: Any] {
        [
            "subject": message.subject.map(text) ?? NSNull(),
            "from": message.from.map(address),
            "to": message.to.map(address),
            "date": message.date.map { Int(floor($0.timeIntervalSince1970)) } ?? NSNull(),
            "message_id": message.messageID ?? NSNull(),
            "types": message.parts.map(\.contentType.mimeType),
            "filenames": message.attachmentFileNames.map(text),
        ]
    }

    /// CR and LF removed, runs of ASCII white space collapsed to one space, ends trimmed.
    static func text(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\r", "\n": continue
            case " ", "\t", "\u{0B}", "\u{0C}": pendingSpace = !out.isEmpty
            default:
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// [addr_spec with the domain lowercased, display name or null].
    static func address(_ address: Address) -> [Any] {
        var spec = address.mailbox
        if let at = spec.lastIndex(of: "@") {
            spec = String(spec[..<at]) + spec[at...].lowercased()
        }
        let name = address.displayName.map(text).flatMap { $0.isEmpty ? nil : $0 }
        return [spec, name ?? NSNull()]
    }

    /// Canonical JSON text of a value, for comparison and for reports.
    static func canonical(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "\(value)" }
        let text = String(decoding: data, as: UTF8.self)
        return String(text.dropFirst().dropLast())
    }
}
