#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1

extension GeneralizedTime {
    /// The instant this time names. DER GeneralizedTime is always UTC ("Z", X.690 §11.7), so the
    /// fields convert without a calendar or a time zone; fractions of a second are kept, since a
    /// TSA may state genTime to the millisecond (RFC 3161 §2.4.2, genTime).
    var date: Date {
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        return Date(timeIntervalSince1970: Double(seconds) + fractionalSeconds)
    }

    /// Days from 1970-01-01 to the given day of the proleptic Gregorian calendar (the
    /// days-from-civil algorithm: years counted from March, so the leap day ends a year).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
