import MailStore
import Foundation

/// `manifest.csv`: one row per exported message, RFC 4180 (CRLF line ends, §2.1; fields with a
/// comma, quote, CR or LF in double quotes, quotes doubled, §2.6–2.7), with a header row (§2.3).
/// Rows are in file order: for an mbox, the order of the messages in it.
///
/// Values are written as they are, never rewritten for a spreadsheet: a subject that starts with
/// "=" stays as it is (open the file as text in a spreadsheet, not as formulas).
public struct ManifestRow: Sendable, Hashable {
    /// The id `tresor show` takes (the archived message's SHA-256); empty for a draft, which is
    /// not in the archive.
    public var archiveID: String
    /// Lower-case hex SHA-256 of the message's bytes.
    public var sha256: String
    /// The Date header in ISO 8601 UTC; empty when there is none or it does not parse.
    public var date: String
    public var from: String
    public var to: String
    public var subject: String
    /// Mailbox export: the folder. Query or case export: every placement as `user:folder`,
    /// separated by "; ".
    public var folders: String
    /// Octets of the message.
    public var size: Int
    /// Relative to the export folder.
    public var file: String
    /// IMAP flags and keywords (mailbox exports), separated by spaces.
    public var flags: String

    public init(archiveID: String, sha256: String, date: String, from: String, to: String, subject: String,
                folders: String, size: Int, file: String, flags: String) {
        self.archiveID = archiveID
        self.sha256 = sha256
        self.date = date
        self.from = from
        self.to = to
        self.subject = subject
        self.folders = folders
        self.size = size
        self.file = file
        self.flags = flags
    }

    var fields: [String] { [archiveID, sha256, date, from, to, subject, folders, String(size), file, flags] }
}

public enum ManifestCSV {
    public static let header = ["archive_id", "sha256", "date", "from", "to", "subject", "folders", "size", "file",
                                "flags"]

    public static func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// Bytes that make a field quoted (RFC 4180 §2.6): comma, double quote, CR, LF.
    static let specialBytes: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), 0x0D, 0x0A]

    static func quoted(_ field: String) -> String {
        let special = field.utf8.contains { byte in specialBytes.contains(byte) }
        guard special else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case malformed(line: Int, reason: String)
        public var description: String {
            switch self {
            case .malformed(let line, let reason): "line \(line): \(reason)"
            }
        }
    }

    /// The records of an RFC 4180 file (§2 grammar; CRLF or LF accepted between records).
    public static func records(_ bytes: [UInt8]) throws(ParseError) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var i = 0
        var inQuotes = false
        var wasQuoted = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll()
            wasQuoted = false
        }
        while i < bytes.count {
            let byte = bytes[i]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
                i += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard field.isEmpty, !wasQuoted else { throw .malformed(line: line, reason: "quote inside an unquoted field") }
                inQuotes = true
                wasQuoted = true
            case UInt8(ascii: ","):
                endField()
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                endField()
                records.append(fields)
                fields = []
                line += 1
            default:
                guard !wasQuoted else { throw .malformed(line: line, reason: "text after a closing quote") }
                field.append(byte)
            }
            i += 1
        }
        if inQuotes { throw .malformed(line: line, reason: "unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted {
            endField()
            records.append(fields)
        }
        return records
    }

    public static func encode(_ rows: [ManifestRow]) -> [UInt8] {
        var text = line(header)
        for row in rows { text += line(row.fields) }
        return Array(text.utf8)
    }

    /// The rows of a manifest; the header must be ours and every row complete.
    public static func decode(_ bytes: [UInt8]) throws(ParseError) -> [ManifestRow] {
        let all = try records(bytes)
        guard let first = all.first, first == header else { throw .malformed(line: 1, reason: "not the manifest header") }
        var rows: [ManifestRow] = []
        for (index, fields) in all.dropFirst().enumerated() {
            guard fields.count == header.count, let size = Int(fields[7]) else {
                throw .malformed(line: index + 2, reason: "expected \(header.count) fields with a numeric size")
            }
            rows.append(ManifestRow(archiveID: fields[0], sha256: fields[1], date: fields[2], from: fields[3],
                                    to: fields[4], subject: fields[5], folders: fields[6], size: size,
                                    file: fields[8], flags: fields[9]))
        }
        return rows
    }
}
