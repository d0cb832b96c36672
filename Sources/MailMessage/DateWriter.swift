#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes the dates Tresor puts into the headers it makes (Received, Date of a DSN or a
/// rejection notice, Arrival-Date): RFC 5322 §3.3 date-time, always in UTC and in the form
/// `DateParser` reads first. The counterpart of `DateParser`.
public enum DateWriter {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    // date-time = [ day-of-week "," ] date time ; date = day month year ; time = time-of-day zone
    /// RFC 5322 §3.3 date-time in UTC, e.g. "Thu, 1 Jan 1970 00:00:00 +0000": the weekday, the
    /// day without a leading zero, whole seconds, zone +0000.
    public static func utcDateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[c.weekday! - 1]), \(c.day!) \(months[c.month! - 1]) \(c.year!) "
            + "\(two(c.hour!)):\(two(c.minute!)):\(two(c.second!)) +0000"
    }
}
