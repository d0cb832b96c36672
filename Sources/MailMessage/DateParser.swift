#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Dates in Date, Resent-Date and Received fields: RFC 5322 §3.3 date-time, the obsolete forms of
/// §4.3, and what real mailers write.
///
/// Invariants: computed by hand from civil dates (no DateFormatter, no locale, no time zone
/// database); never traps on any input; nil only when no day, month and year can be read or they
/// do not name a real day.
public enum DateParser {
    // date-time   = [ day-of-week "," ] date time [CFWS]                ; RFC 5322 §3.3
    // date        = day month year
    // time        = time-of-day zone ; time-of-day = hour ":" minute [ ":" second ]
    // zone        = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone              ; obs-zone: §4.3
    /// Reads a date-time. Accepted beyond RFC 5322 §3.3:
    /// - §4.3: two-digit years (00–49 → 20xx, 50–99 → 19xx), three-digit years (+1900), named zones
    ///   UT/GMT/EST/EDT/CST/CDT/MST/MDT/PST/PDT, military letters (read as +0000 as §4.3 advises),
    ///   comments and extra white space anywhere;
    /// - missing weekday, missing seconds, missing time (midnight), missing zone (+0000), full
    ///   month and weekday names, "+01:00", AM/PM, ctime order ("Fri May 24 10:35:57 EDT 1991"),
    ///   "May 8, 2005 1:17 PM", ISO 8601-like "2020-07-01 10:00:00" and "2020-07-01T10:00:00Z",
    ///   "01-Jan-2020", and a leap second (read as :59).
    public static func parse(_ value: some Collection<UInt8>) -> Date? {
        var tokens = DateToken.tokenize(value)
        guard !tokens.isEmpty else { return nil }
        if let iso = parseISO(tokens) { return iso }
        var fields = Fields()
        var index = 0
        var numbers: [(value: Int, digits: Int)] = []
        while index < tokens.count {
            let token = tokens[index]
            switch token {
            case .word(let word):
                fields.read(word: word)
            case .number(let number, let digits):
                if index + 2 < tokens.count, tokens[index + 1] == .punctuation(UInt8(ascii: ":")),
                    case .number(let minute, _) = tokens[index + 2], fields.hour == nil
                {
                    fields.hour = number
                    fields.minute = minute
                    index += 3
                    if index + 1 < tokens.count, tokens[index] == .punctuation(UInt8(ascii: ":")),
                        case .number(let second, _) = tokens[index + 1]
                    {
                        fields.second = second
                        index += 2
                        // Fractions of a second are dropped.
                        if index + 1 < tokens.count, tokens[index] == .punctuation(UInt8(ascii: ".")),
                            case .number = tokens[index + 1]
                        {
                            index += 2
                        }
                    }
                    continue
                }
                numbers.append((number, digits))
            case .punctuation(let mark):
                if mark == UInt8(ascii: "+") || mark == UInt8(ascii: "-"), fields.hour != nil, fields.numericZone == nil,
                    index + 1 < tokens.count, case .number(let zoneNumber, let digits) = tokens[index + 1]
                {
                    var hours = 0
                    var minutes = 0
                    var consumed = 2
                    if digits == 4 || digits == 3 {
                        hours = zoneNumber / 100
                        minutes = zoneNumber % 100
                    } else if digits <= 2 {
                        hours = zoneNumber
                        if index + 3 < tokens.count, tokens[index + 2] == .punctuation(UInt8(ascii: ":")),
                            case .number(let zoneMinutes, _) = tokens[index + 3]
                        {
                            minutes = zoneMinutes
                            consumed = 4
                        }
                    } else {
                        index += 1
                        continue
                    }
                    // An impossible offset (beyond ±23:59) is read as +0000, like a missing zone.
                    let valid = hours <= 23 && minutes <= 59
                    let seconds = valid ? hours * 3600 + minutes * 60 : 0
                    fields.numericZone = mark == UInt8(ascii: "-") ? -seconds : seconds
                    index += consumed
                    continue
                }
            }
            index += 1
        }
        tokens.removeAll()
        guard fields.assignDayAndYear(numbers) else { return nil }
        return fields.date()
    }

    /// "2020-07-01", "2020-07-01 10:00:00", "2020-07-01T10:00:00.5+02:00", "2020/07/01 10:00 Z".
    private static func parseISO(_ tokens: [DateToken]) -> Date? {
        guard tokens.count >= 5, case .number(let year, 4) = tokens[0],
            case .punctuation(let separator) = tokens[1],
            separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/"),
            case .number(let month, _) = tokens[2], tokens[3] == .punctuation(separator),
            case .number(let day, _) = tokens[4]
        else { return nil }
        var fields = Fields()
        fields.year = year
        fields.month = month
        fields.day = day
        var rest = Array(tokens[5...])
        // "T" glued to the time: the tokenizer yields a word "t".
        if let first = rest.first, first == .word("t") { rest.removeFirst() }
        // A weekday between the date and the time ("2002/09/14 Sat 02:29:32 CDT") is read and
        // skipped, so the time of day is not lost.
        while let first = rest.first, case .word(let word) = first, rest.count >= 3,
            case .number = rest[1], rest[2] == .punctuation(UInt8(ascii: ":"))
        {
            fields.read(word: word)
            rest.removeFirst()
        }
        if !rest.isEmpty {
            var index = 0
            if rest.count >= 3, case .number(let hour, _) = rest[0], rest[1] == .punctuation(UInt8(ascii: ":")),
                case .number(let minute, _) = rest[2]
            {
                fields.hour = hour
                fields.minute = minute
                index = 3
                if index + 1 < rest.count, rest[index] == .punctuation(UInt8(ascii: ":")),
                    case .number(let second, _) = rest[index + 1]
                {
                    fields.second = second
                    index += 2
                    if index + 1 < rest.count, rest[index] == .punctuation(UInt8(ascii: ".")),
                        case .number = rest[index + 1]
                    {
                        index += 2
                    }
                }
            }
            while index < rest.count {
                switch rest[index] {
                case .word(let word):
                    fields.read(word: word)
                    index += 1
                case .punctuation(let mark) where mark == UInt8(ascii: "+") || mark == UInt8(ascii: "-"):
                    guard index + 1 < rest.count, case .number(let number, let digits) = rest[index + 1] else {
                        index += 1
                        continue
                    }
                    var hours = number
                    var minutes = 0
                    index += 2
                    if digits > 2 {
                        hours = number / 100
                        minutes = number % 100
                    } else if index + 1 < rest.count, rest[index] == .punctuation(UInt8(ascii: ":")),
                        case .number(let zoneMinutes, _) = rest[index + 1]
                    {
                        minutes = zoneMinutes
                        index += 2
                    }
                    let valid = hours <= 23 && minutes <= 59
                    let seconds = valid ? hours * 3600 + minutes * 60 : 0
                    fields.numericZone = mark == UInt8(ascii: "-") ? -seconds : seconds
                default:
                    index += 1
                }
            }
        }
        return fields.date()
    }
}

/// What the reader has found so far.
private struct Fields {
    var year: Int?
    var month: Int?
    var day: Int?
    var hour: Int?
    var minute: Int?
    var second: Int?
    var meridiem: UInt8?  // "a" or "p"
    var namedZone: Int?  // seconds east of UTC
    var numericZone: Int?

    /// Weekday (ignored), month, AM/PM and zone names. RFC 5322 §3.3 names, case-insensitive
    /// (§4.3 obs-day-of-week and obs-month allow CFWS; mailers also write full names).
    mutating func read(word: String) {
        if word.count >= 3, let monthIndex = DateNames.months.firstIndex(of: String(word.prefix(3))),
            word.count == 3 || DateNames.fullMonths[monthIndex].hasPrefix(word)
        {
            if month == nil { month = monthIndex + 1 }
            return
        }
        if word == "am" {
            meridiem = UInt8(ascii: "a")
            return
        }
        if word == "pm" {
            meridiem = UInt8(ascii: "p")
            return
        }
        if let offset = DateNames.zones[word] {
            if namedZone == nil { namedZone = offset }
            return
        }
        // obs-zone military letters (RFC 5322 §4.3): their meaning was defined wrongly in RFC 822,
        // so they carry no information and are read as +0000 ("j" is not a zone).
        if word.count == 1, word != "j", hour != nil {
            if namedZone == nil { namedZone = 0 }
        }
    }

    /// Assigns the loose numbers: "24 May 1991" (day, year), "May 24 1991" (ctime), "2020 May 24".
    mutating func assignDayAndYear(_ numbers: [(value: Int, digits: Int)]) -> Bool {
        if month != nil {
            guard numbers.count >= 2 else { return false }
            let first = numbers[0]
            let second = numbers[1]
            if first.digits >= 3 || first.value > 31 {
                year = expandYear(first.value, digits: first.digits)
                day = second.value
            } else {
                day = first.value
                year = expandYear(second.value, digits: second.digits)
            }
            return true
        }
        // No month name: "1.7.2020" (day first) or "2020 7 1".
        guard numbers.count >= 3 else { return false }
        if numbers[0].digits == 4 {
            year = numbers[0].value
            month = numbers[1].value
            day = numbers[2].value
        } else if numbers[2].digits == 4 {
            day = numbers[0].value
            month = numbers[1].value
            year = numbers[2].value
        } else {
            return false
        }
        return true
    }

    /// RFC 5322 §4.3: two-digit years 00–49 are 20xx, 50–99 are 19xx; three-digit years add 1900.
    func expandYear(_ value: Int, digits: Int) -> Int {
        if digits <= 2 { return value < 50 ? 2000 + value : 1900 + value }
        if digits == 3 { return 1900 + value }
        return value
    }

    func date() -> Date? {
        guard let year, let month, let day, (1...12).contains(month), (1...9999).contains(year),
            day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month)
        else { return nil }
        var hour = self.hour ?? 0
        let minute = self.minute ?? 0
        var second = self.second ?? 0
        if let meridiem, (1...12).contains(hour) {
            if meridiem == UInt8(ascii: "a"), hour == 12 { hour = 0 }
            if meridiem == UInt8(ascii: "p"), hour < 12 { hour += 12 }
        }
        if second == 60 { second = 59 }  // RFC 5322 §3.3 allows a leap second; Date cannot hold it
        guard (0...23).contains(hour) || (hour == 24 && minute == 0 && second == 0), (0...59).contains(minute),
            (0...59).contains(second)
        else { return nil }
        let zone = numericZone ?? namedZone ?? 0
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - zone
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

/// A lexical piece of a date: a lowercased word, a number (at most 9 digits kept), or one mark.
enum DateToken: Equatable {
    case word(String)
    case number(Int, digits: Int)
    case punctuation(UInt8)

    static func tokenize(_ value: some Collection<UInt8>) -> [DateToken] {
        var scanner = HeaderScanner(value)
        var tokens: [DateToken] = []
        while let byte = scanner.current {
            switch byte {
            case UInt8(ascii: "("):
                _ = scanner.readComment()
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                var number = 0
                var digits = 0
                while let digit = scanner.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
                    if digits < 9 { number = number * 10 + Int(digit - UInt8(ascii: "0")) }
                    digits += 1
                    scanner.position += 1
                }
                tokens.append(.number(number, digits: digits))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                var word: [UInt8] = []
                while let letter = scanner.current,
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(letter | 0x20), letter >= UInt8(ascii: "A")
                {
                    if word.count < 16 { word.append(letter | 0x20) }
                    scanner.position += 1
                }
                tokens.append(.word(String(decoding: word, as: UTF8.self)))
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "/"):
                tokens.append(.punctuation(byte))
                scanner.position += 1
            default:
                scanner.position += 1  // white space, ",", and anything else separate tokens
            }
            if tokens.count > 64 { break }  // a date has a dozen tokens; stop reading junk
        }
        return tokens
    }
}

/// Names from RFC 5322 §3.3 (day-name, month-name) and §4.3 (obs-zone).
enum DateNames {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let fullMonths = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]
    /// obs-zone names (§4.3), plus UTC, Z and the Atlantic zones Python's `email.utils` also knows.
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
        "mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
        "ast": -4 * 3600, "adt": -3 * 3600,
    ]
}

/// Proleptic Gregorian arithmetic (H. Hinnant, "chrono-compatible low-level date algorithms").
enum CivilCalendar {
    /// Days since 1970-01-01 of the given civil date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
