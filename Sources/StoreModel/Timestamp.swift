#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Instants as people and files read them: ISO 8601 in UTC to the second, `2026-12-06T21:03:00Z`,
/// with the year always four digits (`0001-10-29T22:15:47Z`, not `1-10-29…`: a year-1 date a
/// broken mailer wrote must not read as 2001), and calendar days as `2026-12-06`. Computed from
/// the proleptic Gregorian calendar by hand, the same on every platform.
public enum Timestamp {
    /// `2026-12-06T21:03:00Z`.
    public static func string(_ date: Date) -> String {
        let (year, month, day, seconds) = civil(date)
        return "\(four(year))-\(two(month))-\(two(day))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
    }

    /// `2026-12-06`.
    public static func day(_ date: Date) -> String {
        let (year, month, day, _) = civil(date)
        return "\(four(year))-\(two(month))-\(two(day))"
    }

    /// For `JSONEncoder`: every date as `string(_:)` writes it.
    public static let jsonEncoding = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(string(date))
    }

    /// Year, month, day and seconds into the day (UTC) of an instant.
    static func civil(_ date: Date) -> (year: Int, month: Int, day: Int, seconds: Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86_400
        var seconds = total % 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, seconds)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func four(_ n: Int) -> String {
        let digits = String(abs(n))
        return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
