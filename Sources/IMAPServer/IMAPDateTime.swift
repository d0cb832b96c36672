#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A calendar day as SEARCH uses it (RFC 3501 §6.4.4: "disregarding time and timezone").
// date = date-text / DQUOTE date-text DQUOTE ; date-text = date-day "-" date-month "-" date-year
public struct IMAPDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CivilDays.daysIn(month: month, year: year),
            (1...9999).contains(year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day of `date` in the time zone `offsetSeconds` east of UTC.
    public init(_ date: Date, offsetSeconds: Int = 0) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offsetSeconds
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let (y, m, d) = CivilDays.civil(fromDays: days)
        self.year = y
        self.month = m
        self.day = d
    }

    public static func < (a: IMAPDate, b: IMAPDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// "1-Feb-1994"
    public var description: String { "\(day)-\(CivilDays.monthNames[month - 1])-\(year)" }

    /// Parses date-text, day 1 or 2 digits; nil when it is not a valid date.
    init?(text: some Collection<UInt8>) {
        let parts = Array(text).split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), parts[2].count == 4,
            let day = IMAPGrammar.number(parts[0]), let year = IMAPGrammar.number(parts[2]),
            let month = CivilDays.month(named: parts[1])
        else { return nil }
        self.init(year: Int(year), month: month, day: Int(day))
    }
}

/// An instant with the zone it was written in: INTERNALDATE and APPEND's date-time
/// (RFC 3501 §9). Kept as written, so that FETCH INTERNALDATE can return the client's zone.
// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
// date-day-fixed = (SP DIGIT) / 2DIGIT ; time = 2DIGIT ":" 2DIGIT ":" 2DIGIT ; zone = ("+" / "-") 4DIGIT
public struct IMAPDateTime: Hashable, Sendable, CustomStringConvertible {
    public var date: IMAPDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Minutes east of UTC.
    public var zoneMinutes: Int

    public init?(date: IMAPDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            abs(zoneMinutes) < 24 * 60
        else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// An instant expressed in the zone `zoneMinutes` east of UTC (UTC by default).
    public init(_ instant: Date, zoneMinutes: Int = 0) {
        let total = Int(instant.timeIntervalSince1970.rounded(.down)) + zoneMinutes * 60
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secondsOfDay = total - days * 86_400
        let (y, m, d) = CivilDays.civil(fromDays: days)
        self.date = IMAPDate(year: y, month: m, day: d) ?? IMAPDate(year: 1970, month: 1, day: 1)!
        self.hour = secondsOfDay / 3600
        self.minute = secondsOfDay % 3600 / 60
        self.second = secondsOfDay % 60
        self.zoneMinutes = zoneMinutes
    }

    /// The instant.
    public var instant: Date {
        let days = CivilDays.days(year: date.year, month: date.month, day: date.day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - zoneMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// " 1-Feb-1994 21:52:25 -0800" (date-day-fixed, without the quotes).
    public var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = date.day < 10 ? " \(date.day)" : "\(date.day)"
        let sign = zoneMinutes < 0 ? "-" : "+"
        let zone = abs(zoneMinutes)
        return "\(day)-\(CivilDays.monthNames[date.month - 1])-\(date.year) \(two(hour)):\(two(minute)):\(two(second)) "
            + "\(sign)\(two(zone / 60))\(two(zone % 60))"
    }

    /// Parses the text between the quotes; nil when malformed.
    init?(text: some Collection<UInt8>) {
        let bytes = Array(text)
        // "dd-Mon-yyyy hh:mm:ss +zzzz" is 26 bytes, with date-day-fixed " d" or "dd".
        guard bytes.count == 26, bytes[11] == IMAPGrammar.space, bytes[20] == IMAPGrammar.space,
            bytes[14] == UInt8(ascii: ":"), bytes[17] == UInt8(ascii: ":"),
            bytes[21] == UInt8(ascii: "+") || bytes[21] == UInt8(ascii: "-")
        else { return nil }
        var dayText = Array(bytes[0..<2])
        if dayText[0] == IMAPGrammar.space { dayText.removeFirst() }
        guard bytes[2] == UInt8(ascii: "-"), bytes[6] == UInt8(ascii: "-"),
            let day = IMAPGrammar.number(dayText), let month = CivilDays.month(named: bytes[3..<6]),
            let year = IMAPGrammar.number(bytes[7..<11]), let hour = IMAPGrammar.number(bytes[12..<14]),
            let minute = IMAPGrammar.number(bytes[15..<17]), let second = IMAPGrammar.number(bytes[18..<20]),
            let zoneHours = IMAPGrammar.number(bytes[22..<24]), let zoneMinutes = IMAPGrammar.number(bytes[24..<26]),
            zoneMinutes < 60,
            let date = IMAPDate(year: Int(year), month: month, day: Int(day))
        else { return nil }
        let zone = (Int(zoneHours) * 60 + Int(zoneMinutes)) * (bytes[21] == UInt8(ascii: "-") ? -1 : 1)
        self.init(date: date, hour: Int(hour), minute: Int(minute), second: Int(second), zoneMinutes: zone)
    }
}

/// Proleptic Gregorian day arithmetic, done by hand so that no calendar or formatter is needed.
enum CivilDays {
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func month(named bytes: some Collection<UInt8>) -> Int? {
        let name = IMAPGrammar.uppercased(bytes)
        return monthNames.firstIndex { $0.uppercased() == name }.map { $0 + 1 }
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (the "days from civil" algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
