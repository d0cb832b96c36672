import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--as-of YYYY-MM-DD`: evaluate as at the start of that day, 00:00:00 UTC. A message whose period
/// ends at that instant or earlier is due; so with a period ending on 1 January 2027 00:00 UTC,
/// `--as-of 2026-12-31` keeps the message and `--as-of 2027-01-01` purges it.
public enum RetentionDate {
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let calendar = RetentionPeriod.calendar
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month
        else { return nil }
        return date
    }

    /// `2027-01-01` for a date (UTC), the year always four digits.
    public static func day(_ date: Date) -> String { Timestamp.day(date) }
}
