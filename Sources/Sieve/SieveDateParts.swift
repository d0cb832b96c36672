#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A date-part of the `date` and `currentdate` tests (RFC 5260 §4.2): the text each one gives
/// for an instant seen in a zone. Computed by hand from civil dates (no DateFormatter).
public enum SieveDatePart: String, Sendable, Hashable, CaseIterable {
    case year  // "0000"–"9999"
    case month  // "01"–"12"
    case day  // "01"–"31"
    case date  // "yyyy-mm-dd"
    case julian  // Modified Julian Day: days since 1858-11-17
    case hour  // "00"–"23"
    case minute  // "00"–"59"
    case second  // "00"–"60"
    case time  // "hh:mm:ss"
    case iso8601  // RFC 3339 date-time, e.g. "2005-04-08T14:39:00-07:00"
    case std11  // RFC 5322 date-time, e.g. "Fri, 08 Apr 2005 14:39:00 -0700"
    case zone  // "+hhmm" / "-hhmm"
    case weekday  // "0" (Sunday)–"6"

    /// The part named by a script (RFC 5260 §4.2: case-insensitive), nil if unknown.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}

/// An instant and the zone offset to view it in.
public struct SieveDateTime: Sendable, Hashable {
    public var date: Date
    /// Seconds east of UTC.
    public var offset: Int

    public init(date: Date, offset: Int) {
        self.date = date
        self.offset = offset
    }

    /// The text of one date part.
    public func value(of part: SieveDatePart) -> String {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = SieveDateTime.floorDivide(local, 86_400)
        let secondsOfDay = local - days * 86_400
        let (year, month, day) = SieveDateTime.civil(fromDays: days)
        let hour = secondsOfDay / 3600
        let minute = secondsOfDay % 3600 / 60
        let second = secondsOfDay % 60
        // 1970-01-01 was a Thursday (4).
        let weekday = ((days % 7) + 7 + 4) % 7
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(abs(value))
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let dateText = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        let timeText = "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        let sign = offset < 0 ? "-" : "+"
        let zoneHours = abs(offset) / 3600
        let zoneMinutes = abs(offset) % 3600 / 60
        switch part {
        case .year: return pad(year, 4)
        case .month: return pad(month, 2)
        case .day: return pad(day, 2)
        case .date: return dateText
        case .julian: return String(days + 40_587)  // MJD of 1970-01-01 is 40587
        case .hour: return pad(hour, 2)
        case .minute: return pad(minute, 2)
        case .second: return pad(second, 2)
        case .time: return timeText
        case .iso8601: return "\(dateText)T\(timeText)\(sign)\(pad(zoneHours, 2)):\(pad(zoneMinutes, 2))"
        case .std11:
            return "\(SieveDateTime.weekdayNames[weekday]), \(pad(day, 2)) \(SieveDateTime.monthNames[month - 1]) "
                + "\(pad(year, 4)) \(timeText) \(sign)\(pad(zoneHours, 2))\(pad(zoneMinutes, 2))"
        case .zone: return "\(sign)\(pad(zoneHours, 2))\(pad(zoneMinutes, 2))"
        case .weekday: return String(weekday)
        }
    }

    static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
    /// "civil_from_days").
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Time zones as the date extension writes them.
public enum SieveTimeZone {
    // time-zone = ( "+" / "-" ) 4DIGIT         ; RFC 5260 §4.1, hhmm
    /// The offset in seconds east of UTC of a `:zone` argument such as "+0100" or "-0830";
    /// nil if it is not of that form (hours up to 23, minutes up to 59).
    public static func offset(of zone: String) -> Int? {
        let bytes = Array(zone.utf8)
        guard bytes.count == 5, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            bytes[1...].allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        let digits = bytes[1...].map { Int($0 - 0x30) }
        let hours = digits[0] * 10 + digits[1]
        let minutes = digits[2] * 10 + digits[3]
        guard hours <= 23, minutes <= 59 else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return bytes[0] == UInt8(ascii: "-") ? -seconds : seconds
    }

    /// The zone a header's date-time was written in (for `:originalzone`, RFC 5260 §4.1): the
    /// numeric "+hhmm"/"-hhmm" after the time, else an RFC 5322 §4.3 zone name; +0000 when
    /// neither is there (as MailMessage's `DateParser` reads a missing zone).
    public static func originalOffset(inDateTime value: String) -> Int {
        let words = value.split { $0 == " " || $0 == "\t" || $0 == "(" || $0 == ")" }
        var sawTime = false
        for word in words {
            if word.contains(":") {
                sawTime = true
                continue
            }
            guard sawTime else { continue }
            if let offset = offset(of: String(word)) { return offset }
            if let named = namedZones[word.lowercased()] { return named }
        }
        return 0
    }

    /// obs-zone (RFC 5322 §4.3).
    static let namedZones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
        "mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
    ]
}
