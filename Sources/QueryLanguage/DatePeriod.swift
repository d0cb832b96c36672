/// A calendar period in UTC named by a query date: a day (`2024-03-15`), a month (`2024-03`) or a
/// year (`2024`). `/` is accepted in place of `-` (`2024/03/15`), as in Gmail.
///
/// Semantics (all UTC): `after:P` matches dates ≥ `start`, `before:P` matches dates < `start`,
/// `on:P` matches `start` ≤ date < `end`. So `after:2024-01-01 before:2024-02-01` is January.
public struct DatePeriod: Hashable, Sendable {
    /// First second of the period, in seconds since 1970-01-01T00:00:00Z.
    public var start: Int64
    /// First second after the period.
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; nil if it is not one of these or not a real date.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).count > 1
            ? text.split(separator: "-", omittingEmptySubsequences: false)
            : text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        let widths = [4, 2, 2]
        var numbers: [Int] = []
        for (index, part) in parts.enumerated() {
            guard part.count == widths[index], part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(part)
            else { return nil }
            numbers.append(number)
        }
        let year = numbers[0]
        guard year >= 1 else { return nil }
        switch numbers.count {
        case 1:
            start = Self.seconds(year: year, month: 1, day: 1)
            end = Self.seconds(year: year + 1, month: 1, day: 1)
        case 2:
            let month = numbers[1]
            guard (1...12).contains(month) else { return nil }
            start = Self.seconds(year: year, month: month, day: 1)
            end = month == 12 ? Self.seconds(year: year + 1, month: 1, day: 1)
                : Self.seconds(year: year, month: month + 1, day: 1)
        default:
            let month = numbers[1], day = numbers[2]
            guard (1...12).contains(month), day >= 1, day <= Self.daysIn(year: year, month: month) else { return nil }
            start = Self.seconds(year: year, month: month, day: day)
            end = start + 86_400
        }
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Seconds since the Unix epoch at 00:00 UTC of a proleptic Gregorian date
    /// (the days-from-civil algorithm: count from 0000-03-01 in 400-year eras).
    static func seconds(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468) * 86_400
    }
}
