#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailMessage
import Testing

/// Expected strings from Python's `email.utils.format_datetime` in UTC, with the day's leading
/// zero dropped (RFC 5322 §3.3 allows 1 or 2 digits; Tresor writes 1 where it can).
@Test(arguments: [
    (0, "Thu, 1 Jan 1970 00:00:00 +0000"),
    (880127706, "Fri, 21 Nov 1997 15:55:06 +0000"),
    (1700000000, "Tue, 14 Nov 2023 22:13:20 +0000"),
    (951868799, "Tue, 29 Feb 2000 23:59:59 +0000"),  // leap day of a year divisible by 400
    (4102444799, "Thu, 31 Dec 2099 23:59:59 +0000"),
])
func dateWriterWritesUTCDateTime(seconds: Int, expected: String) {
    let date = Date(timeIntervalSince1970: TimeInterval(seconds))
    #expect(DateWriter.utcDateTime(date) == expected)
    #expect(DateParser.parse(Array(expected.utf8)) == date, "DateParser reads it back")
}

@Test func dateWriterDropsFractionsOfASecond() {
    #expect(DateWriter.utcDateTime(Date(timeIntervalSince1970: 59.75)) == "Thu, 1 Jan 1970 00:00:59 +0000")
}

@Test func uniqueTokensAre32HexDigitsAndDiffer() {
    let tokens = (0..<64).map { _ in UniqueToken.random() }
    #expect(tokens.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } })
    #expect(Set(tokens).count == tokens.count)
}
