#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How long a policy keeps mail: `30d`, `18m`, `10y` (whole days, calendar months, calendar years).
/// Months and years are calendar arithmetic in UTC (Gregorian): 31 January + 1 month is 28 or
/// 29 February, 29 February + 1 year is 28 February.
public struct RetentionPeriod: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable, CaseIterable {
        case days = "d", months = "m", years = "y"
    }

    public var amount: Int
    public var unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// The largest amount accepted: 1,000 years (in any unit), far beyond any law.
    public static let maximumDays = 366_000

    /// `"30d"`, `"18m"`, `"10y"` (the unit letter in either case); nil when malformed or beyond 1,000 years.
    public init?(parsing text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last.lowercased()) else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let amount = Int(digits)
        else { return nil }
        self.init(amount: amount, unit: unit)
        guard maximumDays <= Self.maximumDays else { return nil }
    }

    public var description: String { "\(amount)\(unit.rawValue)" }

    /// The instant the period that starts at `start` ends.
    public func end(from start: Date) -> Date {
        var components = DateComponents()
        switch unit {
        case .days: components.day = amount
        case .months: components.month = amount
        case .years: components.year = amount
        }
        return Self.calendar.date(byAdding: components, to: start) ?? .distantFuture
    }

    /// Whether this period is never shorter than `other`, whatever it starts from: months and years
    /// compare exactly, days exactly; a mix compares this period's shortest possible length (a month of
    /// 28 days, a year of 365) with the other's longest (31, 366).
    public func isNeverShorter(than other: RetentionPeriod) -> Bool {
        switch (unit, other.unit) {
        case (.days, .days): amount >= other.amount
        case (.months, .months), (.months, .years), (.years, .months), (.years, .years): months >= other.months
        default: minimumDays >= other.maximumDays
        }
    }

    private var months: Int { unit == .years ? amount * 12 : amount }
    private var minimumDays: Int {
        switch unit {
        case .days: amount
        case .months: amount * 28
        case .years: amount * 365
        }
    }
    public var maximumDays: Int {
        switch unit {
        case .days: amount
        case .months: amount * 31
        case .years: amount * 366
        }
    }

    /// Gregorian in UTC: retention is the same wherever the server runs.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
