import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// How the server writes its log: `text` for people (`key=value` after the message) or `json`
/// for machines (one object per line). The `log_format` setting.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}

/// One log event, rendered as one line (without the line feed). Pure: the time comes in, nothing
/// is written.
///
/// Text: `2026-12-07T10:15:35.123Z notice tresor.serve: refused reason="unknown user" stage=rcpt`
/// — the metadata sorted by key, a value in double quotes when it is empty or holds a space, a
/// quote, `=`, a backslash or a control character (escaped as `\"`, `\\`, `\n`, `\r`, `\t`,
/// `\u{XX}`), so that `key=value` pairs split back unambiguously.
///
/// JSON (RFC 8259): `{"time":…,"level":…,"label":…,"message":…,"metadata":{…}}`; metadata values
/// are strings, arrays and objects as swift-log holds them.
public struct LogLine: Sendable {
    public var time: Date
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: Logger.Metadata

    public init(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) {
        self.time = time
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }

    public func rendered(as format: LogFormat) -> String {
        switch format {
        case .text: text
        case .json: json
        }
    }

    // MARK: - Text

    var text: String {
        var line = "\(Self.timestamp(time)) \(level.rawValue) \(label): \(Self.singleLine(message))"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.quotedIfNeeded(Self.plain(metadata[key]!)))"
        }
        return line
    }

    /// A metadata value as one string: arrays joined with commas, dictionaries as `k=v` pairs.
    static func plain(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(plain).joined(separator: ",")
        case .dictionary(let entries):
            entries.keys.sorted().map { "\($0)=\(quotedIfNeeded(plain(entries[$0]!)))" }.joined(separator: " ")
        }
    }

    /// The value as is when it splits back unambiguously, else in double quotes with escapes.
    public static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar == "\\" || scalar.value < 0x20
                || scalar.value == 0x7F
        }
        return needsQuotes ? "\"\(escaped(value))\"" : value
    }

    /// The message on one line: line breaks a message may carry are escaped, never written raw
    /// (a raw line feed would let a value forge a second log line).
    static func singleLine(_ message: String) -> String {
        guard message.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return message }
        return message.unicodeScalars.map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F ? escaped(String(scalar)) : String(scalar)
        }.joined()
    }

    private static func escaped(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    // MARK: - JSON

    var json: String {
        var out = "{\"time\":" + Self.jsonString(Self.timestamp(time))
        out += ",\"level\":" + Self.jsonString(level.rawValue)
        out += ",\"label\":" + Self.jsonString(label)
        out += ",\"message\":" + Self.jsonString(message)
        out += ",\"metadata\":" + Self.jsonValue(.dictionary(metadata)) + "}"
        return out
    }

    static func jsonValue(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): jsonString(string)
        case .stringConvertible(let convertible): jsonString(convertible.description)
        case .array(let values): "[" + values.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.keys.sorted().map { jsonString($0) + ":" + jsonValue(entries[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string (RFC 8259 §7): quote, backslash and control characters escaped.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: - Time

    /// RFC 3339 in UTC with milliseconds: `2026-12-07T10:15:35.123Z`.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var fraction = Int(milliseconds % 1000)
        if fraction < 0 {  // before 1970: the remainder is negative
            fraction += 1000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(fraction), 3))Z"
    }
}
