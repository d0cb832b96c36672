import MailStore
import Foundation

/// Writing mboxrd (RFC 4155 §2 describes the mbox family; mboxrd is its reversible variant).
///
/// Each message is: a separator line `From <sender> <asctime date>` (LF), the message with every
/// line that matches `>*From ` given one more ">", a line end if the message lacks a final one,
/// and one empty line. `MboxReader` (MailMessage) undoes exactly this. A message that lacks a final
/// line end therefore reads back one LF longer: the only bytes mbox cannot carry; the manifest
/// keeps the original's size and SHA-256 and `verify-export` allows for it.
public enum Mboxrd {
    static let fromPrefix = Array("From ".utf8)

    /// The separator line with its LF. `sender` is the envelope sender if it is one token of
    /// printable ASCII, else `MAILER-DAEMON` (the placeholder RFC 4155 readers accept).
    public static func separator(sender: String?, date: Date) -> [UInt8] {
        var token = "MAILER-DAEMON"
        if let sender, !sender.isEmpty, sender.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { token = sender }
        return Array("From \(token) \(asctime(date))\n".utf8)
    }

    /// The escaped message followed by the empty line that ends it in the mbox.
    public static func escapedMessage(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + 2)
        var lineStart = true
        var i = 0
        while i < raw.count {
            if lineStart, needsEscape(raw, at: i) { out.append(UInt8(ascii: ">")) }
            let byte = raw[i]
            out.append(byte)
            lineStart = byte == 0x0A
            i += 1
        }
        if raw.last != 0x0A { out.append(0x0A) }
        out.append(0x0A)
        return out
    }

    /// `>*From ` at `index`.
    static func needsEscape(_ raw: [UInt8], at index: Int) -> Bool {
        var j = index
        while j < raw.count, raw[j] == UInt8(ascii: ">") { j += 1 }
        return raw.count - j >= 5 && raw[j..<j + 5].elementsEqual(fromPrefix)
    }

    /// C's asctime in UTC, as mbox separators carry it: `Thu Jan  1 00:00:00 1970`.
    static func asctime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = c.day! < 10 ? " \(c.day!)" : "\(c.day!)"
        return "\(days[c.weekday! - 1]) \(months[c.month! - 1]) \(day) \(two(c.hour!)):\(two(c.minute!)):\(two(c.second!)) \(c.year!)"
    }
}
