import Foundation
import MailStore

/// File names inside an export folder.
///
/// IMAP folder names (RFC 3501 §5.1, checked by `IMAPMailboxName.validate`: no control
/// characters, no empty, "." or ".." level) become relative paths, one directory level per
/// name level. Each level is made safe for every file system and for `sha256sum -c`: "%",
/// "\" and ":" become `%XX`, as does a leading "."; in a Maildir export the level names
/// "cur", "new" and "tmp" too (they would collide with the folder's own Maildir directories);
/// a level longer than 200 UTF-8 bytes is cut and given a short hash. So a path never holds a
/// backslash or a line end (which `sha256sum` would have to escape), and two folders never share
/// a path. The manifest keeps the real folder name beside each file.
public enum ExportPaths {
    /// Where the messages go, relative to the export folder.
    public static let messagesDirectory = "messages"
    /// The mbox of a query or case export.
    public static let queryMbox = "export.mbox"

    /// One folder level as a file name.
    public static func level(_ name: String, format: ExportFormat) -> String {
        var out = ""
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let escape = scalar == "%" || scalar == "\\" || scalar == ":" || (index == 0 && scalar == ".")
            if escape {
                out += "%" + String(format: "%02X", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        if format == .maildir, ["cur", "new", "tmp"].contains(out) {
            out = "%" + String(format: "%02X", out.unicodeScalars.first!.value) + out.dropFirst()
        }
        if out.utf8.count > 200 {
            var cut = out
            while cut.utf8.count > 180 { cut.unicodeScalars.removeLast() }
            out = cut + "~" + String(Hex.sha256(Array(name.utf8)).prefix(12))
        }
        return out
    }

    /// A folder ("Lists/Swift") as a relative path ("Lists/Swift").
    public static func folder(_ name: String, format: ExportFormat) -> String {
        name.split(separator: "/", omittingEmptySubsequences: false)
            .map { level(String($0), format: format) }.joined(separator: "/")
    }

    /// `<date>_<sha256>.eml`: the message's date (its Date header, else when it was archived or
    /// received) in UTC as `YYYYMMDDTHHMMSSZ`, so that names sort by time.
    public static func emlName(date: Date, sha256: String) -> String {
        "\(compactDate(date))_\(sha256).eml"
    }

    /// Maildir file name (cr.yp.to/proto/maildir.html): `time.unique.host:2,FLAGS`, unique within
    /// the export by a sequence number; the SHA-256 prefix lets a reader match it to the manifest.
    public static func maildirName(date: Date, sequence: Int, sha256: String, flags: String) -> String {
        let seconds = Int64(max(0, date.timeIntervalSince1970.rounded(.down)))
        let number = String(sequence)
        let padded = String(repeating: "0", count: max(0, 6 - number.count)) + number
        return "\(seconds).M\(padded)_\(sha256.prefix(16)).tresor-export:2,\(flags)"
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    static func compactDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ n: Int, _ width: Int) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(c.year!, 4) + pad(c.month!, 2) + pad(c.day!, 2) + "T" + pad(c.hour!, 2) + pad(c.minute!, 2)
            + pad(c.second!, 2) + "Z"
    }
}
