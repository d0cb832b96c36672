#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

@testable import MailMessage

/// Expected seconds since 1970 from Python's `email.utils.parsedate_to_datetime` (naive results
/// read as UTC) or, for forms Python rejects, from `calendar.timegm`.
@Test(arguments: [
    ("Thu, 13 Feb 1969 23:32:54 -0330", -27723426),  // RFC 5322 Appendix A.1.3 style
    ("Fri, 21 Nov 1997 09:55:06 -0600", 880127706),
    ("21 Nov 97 09:55:06 GMT", 880106106),  // §4.3: two-digit year, no weekday, named zone
    ("Tue, 1 Jul 2003 10:52:37 +0200", 1057049557),
    ("Wed, 20 Dec 95 19:59 CST", 819511140),  // missing seconds
    ("Fri May 24 10:35:57 EDT 1991", 675095757),  // ctime order
    ("Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)", -27723480),
    ("Mon, 12 Oct 2010 16:21:05 PDT", 1286925665),
    ("Sat, 01 Jan 2000 00:00:00 +0100 (CET)", 946681200),
    ("Sun, 14 Oct 2012 16:09:01 (EDT) -0400", 1350245341),  // Python misses the zone after the comment
    ("  Tue,   2 Jul 2002   17:06:03   +0100  ", 1025625963),
    ("Tue,\r\n 2 Jul 2002 17:06:03 +0100", 1025625963),  // folded
    ("Tue, 12 Oct 2010 16:21:05 UT", 1286900465),
    ("1 Jan 2020 00:00:00 Z", 1577836800),
    ("01 Jan 2001 00:01+0000", 978307260),  // zone glued to the time
    ("Tue, 12 Oct 2010 16:21:05 H0500", 1286900465),  // military letter: +0000 (§4.3)
    ("Tue, 12 Oct 2010 16:21:05 A", 1286900465),
    ("Thu, 31 Dec 1998 23:59:60 +0000", 915148799),  // leap second read as :59
    ("Thu, 1 Jan 1970 00:00:00 +0000", 0),
    ("Wed, 29 Feb 2012 12:00:00 -0000", 1330516800),
    ("Thu, 21 May 2008 04:00:00 EST", 1211360400),
    ("May 8, 2005 1:17 PM", 1115558220),
    ("8 May 2005 01:17:00 pm", 1115558220),
    ("2020-07-01 10:00:00", 1593597600),  // ISO-like, no zone: +0000
    ("2020-07-01T10:00:00+02:00", 1593590400),
    ("2020-07-01T10:00:00.250Z", 1593597600),
    ("2020-07-01", 1593561600),
    ("1 Jan 2020", 1577836800),  // no time: midnight
    ("1 Jan 49 00:00:00 +0000", 2493072000),  // 00–49 → 20xx
    ("1 Jan 50 00:00:00 +0000", -631152000),  // 50–99 → 19xx
    ("1 Jan 2020 00:00:00", 1577836800),  // no zone: +0000
    ("Tue, 2 Jul 2002 01:05:00 +01:00", 1025568300),
    ("Wednesday, 01 July 2020 11:00:00 +0100", 1593597600),  // full names
    ("01-Jul-2020 10:00:00 +0000", 1593597600),
    ("1.7.2020 10:00:00 +0000", 1593597600),
    ("Sat, 1 Jan 0001 00:00:00 +0000", -62135596800),
    ("Fri, 31 Dec 9999 23:59:59 +0000", 253402300799),
    ("Tue, 29 Feb 2000 00:00:00 GMT", 951782400),
    ("Tue, 1 Jul 2003 10:52:37 +9999", 1057056757),  // impossible offset read as +0000
    ("2002/09/14 Sat 02:29:32 CDT", 1031988572),  // weekday between date and time: the time is kept
    ("Sat, 29 Oct 0001 14:15:47 -0800", -62109510253),  // a broken client's year 1, as written
])
func parsesDate(_ input: String, _ seconds: Int) {
    #expect(DateParser.parse(Array(input.utf8)) == Date(timeIntervalSince1970: TimeInterval(seconds)))
}

@Test(arguments: [
    "", "Whenever", "Pn, 29 paX 2007 21:13:00 +0100", "30 Feb 2020 00:00:00 +0000", "29 Feb 2019 00:00:00 +0000",
    "1 Jan 2020 25:00:00 +0000", "1 Jan 2020 10:61:00 +0000", "Jan 2020", "32 Jan 2020 00:00 +0000",
    "1 Foo 2020 00:00:00 +0000", "(only a comment)",
])
func unreadableDateIsNil(_ input: String) {
    #expect(DateParser.parse(Array(input.utf8)) == nil)
}

@Test func civilDaysMatchKnownDays() {
    #expect(CivilCalendar.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
    #expect(CivilCalendar.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
    #expect(CivilCalendar.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
    // Consecutive days over four centuries step by one.
    var expected = CivilCalendar.daysFromCivil(year: 1900, month: 1, day: 1)
    var mismatches: [String] = []
    for year in 1900...2300 {
        for month in 1...12 {
            for day in 1...CivilCalendar.daysInMonth(year: year, month: month) {
                if CivilCalendar.daysFromCivil(year: year, month: month, day: day) != expected {
                    mismatches.append("\(year)-\(month)-\(day)")
                }
                expected += 1
            }
        }
    }
    #expect(mismatches.isEmpty)
    #expect(expected - CivilCalendar.daysFromCivil(year: 1900, month: 1, day: 1) == 146_097 + 365)
}
