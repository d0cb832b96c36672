#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

@testable import Sieve

/// The building blocks of matching, without scripts: comparators (RFC 4790), wildcards
/// (RFC 5228 §2.7.1), address parts (§2.7.4, RFC 5233), date parts (RFC 5260), variable
/// expansion and `set` modifiers (RFC 5229), flag lists (RFC 5232).
@Suite struct MatchTests {
    // MARK: - Comparators

    @Test func asciiCasemapFoldsOnlyASCIILetters() {
        let casemap = SieveComparator.asciiCasemap
        #expect(casemap.equals("Frobnitz", "FROBNITZ"))
        #expect(casemap.equals("[Acme]", "[aCME]"))
        #expect(!casemap.equals("É", "é"))  // only a–z are folded
        #expect(!casemap.equals("abc", "abcd"))
        #expect(casemap.contains("Hello World", "WORLD"))
        #expect(!SieveComparator.octet.contains("Hello World", "WORLD"))
        #expect(!SieveComparator.octet.equals("Frobnitz", "frobnitz"))
    }

    @Test func emptyKeyIsContainedInEveryString() {
        #expect(SieveComparator.asciiCasemap.contains("", ""))
        #expect(SieveComparator.octet.contains("anything", ""))
    }

    @Test func octetOrderIsByteOrder() {
        #expect(SieveComparator.octet.compare("a", "b") == .less)
        #expect(SieveComparator.octet.compare("B", "a") == .less)  // 0x42 < 0x61
        #expect(SieveComparator.asciiCasemap.compare("B", "a") == .greater)  // "B" vs "A"
        #expect(SieveComparator.octet.compare("ab", "a") == .greater)
        #expect(SieveComparator.octet.compare("é", "z") == .greater)  // UTF-8 0xC3 > 0x7A
    }

    @Test(arguments: [
        ("10", "9", SieveOrdering.greater),
        ("007", "7", .equal),
        ("0", "", .less),  // "" is not a number: infinity
        ("", "abc", .equal),  // two non-numbers are equal
        ("123abc", "123", .equal),  // only the leading digits count
        ("99999999999999999999999", "100000000000000000000000", .less),  // beyond 64 bits
        ("000", "0", .equal),
    ])
    func asciiNumericComparesLeadingDigits(_ value: String, _ key: String, _ expected: SieveOrdering) {
        #expect(SieveComparator.asciiNumeric.compare(value, key) == expected)
    }

    @Test func comparatorNamesAreCaseInsensitive() {
        #expect(SieveComparator(name: "I;OCTET") == .octet)
        #expect(SieveComparator(name: "i;ascii-numeric") == .asciiNumeric)
        #expect(SieveComparator(name: "i;unicode-casemap") == nil)
    }

    @Test func relationalOperators() {
        #expect(SieveRelation.greaterThan.holds(.greater))
        #expect(!SieveRelation.greaterThan.holds(.equal))
        #expect(SieveRelation.greaterOrEqual.holds(.equal))
        #expect(SieveRelation.lessOrEqual.holds(.less))
        #expect(!SieveRelation.lessThan.holds(.equal))
        #expect(SieveRelation.notEqual.holds(.less))
        #expect(!SieveRelation.equal.holds(.greater))
        #expect(SieveRelation(name: "GE") == .greaterOrEqual)
    }

    // MARK: - Wildcards

    private func glob(_ pattern: String, _ text: String, _ comparator: SieveComparator = .asciiCasemap) -> [String]? {
        SieveWildcardPattern(pattern).match(text, comparator: comparator)
    }

    @Test(arguments: [
        ("*", "", true), ("*", "anything", true), ("?", "", false), ("?", "x", true), ("??", "x", false),
        ("a*b", "ab", true), ("a*b", "axxb", true), ("a*b", "axxbc", false), ("*b", "abab", true),
        ("a?c", "abc", true), ("a?c", "abbc", false), ("*@*.example.com", "joe@mx.example.com", true),
        ("*money*", "make MONEY fast", true), ("**x", "abx", true), ("*a*a*a*", "banana", true),
        ("*a*a*a*a*", "banana", false),
    ])
    func wildcards(_ pattern: String, _ text: String, _ matches: Bool) {
        #expect((glob(pattern, text) != nil) == matches)
    }

    @Test func backslashMakesWildcardsLiteral() {
        #expect(glob(#"a\*b"#, "a*b") != nil)
        #expect(glob(#"a\*b"#, "axb") == nil)
        #expect(glob(#"\?"#, "?") != nil)
        #expect(glob(#"\?"#, "x") == nil)
        #expect(glob(#"a\\b"#, #"a\b"#) != nil)
        #expect(glob(#"x\"#, #"x\"#) != nil)  // a trailing backslash stands for itself
    }

    @Test func questionMarkMatchesOneCharacterNotOneByte() {
        #expect(glob("?", "é") != nil)
        #expect(glob("a?c", "a€c") != nil)
    }

    @Test func wildcardsFollowTheComparator() {
        #expect(glob("FROM*", "from: x", .asciiCasemap) != nil)
        #expect(glob("FROM*", "from: x", .octet) == nil)
    }

    @Test func capturesTakeTheShortestTextLeftmostFirst() {
        // RFC 5229 §3.2's example.
        #expect(glob("[*] *", "[acme-users] [fwd] version 1.0 is out") == ["acme-users", "[fwd] version 1.0 is out"])
        #expect(glob("*<*@*", "Example list <list@example.org>") == ["Example list ", "list", "example.org>"])
        #expect(glob("?*?", "abcd") == ["a", "bc", "d"])
        #expect(glob("a*", "a") == [""])
        #expect(glob("no wildcards", "NO WILDCARDS") == [])
    }

    @Test func pathologicalPatternsStayFast() {
        let text = String(repeating: "a", count: 5000)
        let pattern = String(repeating: "*a", count: 50) + "b"
        #expect(glob(pattern, text) == nil)
    }

    // MARK: - Matcher

    @Test func matcherTriesEveryValueAgainstEveryKey() throws {
        let matcher = try SieveMatcher(matchType: .contains, comparator: .asciiCasemap, keys: ["foo", "bar"])
        #expect(matcher.firstMatch(in: ["nothing", "a BAR here"]) != nil)
        #expect(matcher.firstMatch(in: ["nothing"]) == nil)
        #expect(matcher.firstMatch(in: []) == nil)
        let noKeys = try SieveMatcher(matchType: .contains, comparator: .asciiCasemap, keys: [])
        #expect(noKeys.firstMatch(in: ["x"]) == nil)
    }

    @Test func matchesGivesMatchVariablesWithTheWholeValueFirst() throws {
        let matcher = try SieveMatcher(matchType: .matches, comparator: .asciiCasemap, keys: ["x*", "*@*"])
        #expect(matcher.firstMatch(in: ["joe@example.org"])?.matchVariables == ["joe@example.org", "joe", "example.org"])
        let isMatcher = try SieveMatcher(matchType: .is, comparator: .asciiCasemap, keys: ["a"])
        #expect(isMatcher.firstMatch(in: ["A"]) != nil)
        #expect(isMatcher.firstMatch(in: ["A"])?.matchVariables == nil)
    }

    @Test func numericComparatorRefusesSubstringMatches() {
        #expect(throws: SieveMatchError.self) {
            try SieveMatcher(matchType: .contains, comparator: .asciiNumeric, keys: ["1"])
        }
        #expect(throws: SieveMatchError.self) {
            try SieveMatcher(matchType: .matches, comparator: .asciiNumeric, keys: ["1*"])
        }
    }

    @Test func countComparesTheNumberOfValues() throws {
        let matcher = try SieveMatcher(matchType: .count(.greaterThan), comparator: .asciiNumeric, keys: ["2"])
        #expect(matcher.matchCount(3))
        #expect(!matcher.matchCount(2))
        let equal = try SieveMatcher(matchType: .count(.equal), comparator: .asciiNumeric, keys: ["0"])
        #expect(equal.matchCount(0))
    }

    @Test func valueComparesEachValueWithTheKey() throws {
        let matcher = try SieveMatcher(matchType: .value(.greaterThan), comparator: .asciiNumeric, keys: ["5"])
        #expect(matcher.firstMatch(in: ["3", "10"]) != nil)
        #expect(matcher.firstMatch(in: ["3", "4"]) == nil)
        // A non-number is infinity, greater than any number.
        #expect(matcher.firstMatch(in: ["none"]) != nil)
    }

    @Test func regexCapturesGroupsAndFoldsCaseUnderCasemap() throws {
        let matcher = try SieveMatcher(matchType: .regex, comparator: .asciiCasemap, keys: ["^([a-z]+)-(list|bounces)@"])
        let variables = matcher.firstMatch(in: ["ACME-List@example.org"])?.matchVariables
        #expect(variables?.prefix(4) == ["ACME-List@", "ACME", "List", ""])
        #expect(variables?.count == 10)
        let exact = try SieveMatcher(matchType: .regex, comparator: .octet, keys: ["^acme"])
        #expect(exact.firstMatch(in: ["ACME"]) == nil)
        #expect(exact.firstMatch(in: ["xacme"]) == nil)
        #expect(exact.firstMatch(in: ["acme"]) != nil)
    }

    @Test func invalidRegexIsAnError() {
        #expect(throws: SieveMatchError.self) {
            try SieveMatcher(matchType: .regex, comparator: .octet, keys: ["(unclosed"])
        }
    }

    // MARK: - Address parts

    @Test(arguments: [
        (SieveAddressPart.all, "ken+sieve@example.com", "ken+sieve@example.com"),
        (.localpart, "ken+sieve@example.com", "ken+sieve"),
        (.domain, "ken+sieve@example.com", "example.com"),
        (.user, "ken+sieve@example.com", "ken"),
        (.detail, "ken+sieve@example.com", "sieve"),
        (.detail, "ken+@example.com", ""),
        (.detail, "ken+a+b@example.com", "a+b"),
        (.user, "ken@example.com", "ken"),
        (.localpart, "root", "root"),
        (.all, "", ""),
        (.domain, "", ""),
    ] as [(SieveAddressPart, String, String)])
    func addressParts(_ part: SieveAddressPart, _ address: String, _ expected: String) {
        #expect(part.extract(from: address) == expected)
    }

    @Test func addressWithoutSeparatorHasNoDetail() {
        #expect(SieveAddressPart.detail.extract(from: "ken@example.com") == nil)
        #expect(SieveAddressPart.detail.extract(from: "") == nil)
        #expect(SieveAddressPart.domain.extract(from: "root") == nil)
    }

    @Test func redirectAddressSyntax() {
        #expect(SieveAddressSyntax.addrSpec("bart@example.com") == "bart@example.com")
        #expect(SieveAddressSyntax.addrSpec(" <bart@example.com> ") == "bart@example.com")
        #expect(SieveAddressSyntax.addrSpec("\"a b\"@example.com") == "\"a b\"@example.com")
        #expect(SieveAddressSyntax.addrSpec("jörg@bücher.example") == "jörg@bücher.example")
        #expect(SieveAddressSyntax.addrSpec("Bart@Example.COM") == "Bart@example.com")  // only the domain folds
        #expect(SieveAddressSyntax.addrSpec("Bart <bart@example.com>") == "bart@example.com")  // name-addr
        for invalid in ["", "bart", "@example.com", "bart@", "bart@exa mple.com", "a..b@example.com",
                        "bart@-x.com", "two@at@x y", "Bart <bart@example.com", "bart@example..com"] {
            #expect(SieveAddressSyntax.addrSpec(invalid) == nil, "\(invalid)")
        }
    }

    // MARK: - Date parts

    @Test func datePartsOfAnInstantInAZone() {
        // 2005-04-08 14:39:00 -0700 = 21:39:00 UTC.
        let date = Date(timeIntervalSince1970: 1_112_996_340)
        let local = SieveDateTime(date: date, offset: -7 * 3600)
        #expect(local.value(of: .year) == "2005")
        #expect(local.value(of: .month) == "04")
        #expect(local.value(of: .day) == "08")
        #expect(local.value(of: .date) == "2005-04-08")
        #expect(local.value(of: .hour) == "14")
        #expect(local.value(of: .minute) == "39")
        #expect(local.value(of: .second) == "00")
        #expect(local.value(of: .time) == "14:39:00")
        #expect(local.value(of: .iso8601) == "2005-04-08T14:39:00-07:00")
        #expect(local.value(of: .std11) == "Fri, 08 Apr 2005 14:39:00 -0700")
        #expect(local.value(of: .zone) == "-0700")
        #expect(local.value(of: .weekday) == "5")
        #expect(local.value(of: .julian) == "53468")  // MJD of 2005-04-08
        let utc = SieveDateTime(date: date, offset: 0)
        #expect(utc.value(of: .hour) == "21")
        #expect(utc.value(of: .zone) == "+0000")
        let tokyo = SieveDateTime(date: date, offset: 9 * 3600)
        #expect(tokyo.value(of: .date) == "2005-04-09")
        #expect(tokyo.value(of: .weekday) == "6")
    }

    @Test func datePartsBefore1970AndAtLeapDays() {
        let leap = SieveDateTime(date: Date(timeIntervalSince1970: 951_782_400), offset: 0)  // 2000-02-29
        #expect(leap.value(of: .date) == "2000-02-29")
        #expect(leap.value(of: .weekday) == "2")
        let old = SieveDateTime(date: Date(timeIntervalSince1970: -1), offset: 0)
        #expect(old.value(of: .iso8601) == "1969-12-31T23:59:59+00:00")
        #expect(old.value(of: .julian) == "40586")
    }

    @Test func zones() {
        #expect(SieveTimeZone.offset(of: "+0100") == 3600)
        #expect(SieveTimeZone.offset(of: "-0830") == -(8 * 3600 + 30 * 60))
        #expect(SieveTimeZone.offset(of: "0100") == nil)
        #expect(SieveTimeZone.offset(of: "+2400") == nil)
        #expect(SieveTimeZone.offset(of: "+01:00") == nil)
        #expect(SieveTimeZone.originalOffset(inDateTime: "Fri, 8 Apr 2005 14:39:00 -0700") == -7 * 3600)
        #expect(SieveTimeZone.originalOffset(inDateTime: "Fri, 8 Apr 2005 14:39:00 +0530 (IST)") == 19_800)
        #expect(SieveTimeZone.originalOffset(inDateTime: "Fri, 8 Apr 2005 14:39:00 PDT") == -7 * 3600)
        #expect(SieveTimeZone.originalOffset(inDateTime: "Fri, 8 Apr 2005 14:39:00") == 0)
        #expect(SieveDatePart(name: "ISO8601") == .iso8601)
        #expect(SieveDatePart(name: "fortnight") == nil)
    }

    // MARK: - Variables

    private func variables(_ named: [String: String], match: [String] = []) throws -> SieveVariables {
        var variables = SieveVariables(limits: SieveLimits())
        for (name, value) in named { try variables.set(name, to: value) }
        variables.matchVariables = match
        return variables
    }

    @Test func expansion() throws {
        let store = try variables(["company": "ACME", "Empty": ""], match: ["whole", "one"])
        #expect(store.expand("${company}") == "ACME")
        #expect(store.expand("${COMPANY} and ${Company}") == "ACME and ACME")  // names are case-insensitive
        #expect(store.expand("${unknown}") == "")
        #expect(store.expand("${0}/${1}/${2}/${01}") == "whole/one//one")
        #expect(store.expand("${doh!}") == "${doh!}")  // not a reference
        #expect(store.expand("${") == "${")
        #expect(store.expand("$${company}}") == "$ACME}")
        #expect(store.expand("${env.x}") == "${env.x}")  // namespaces are left alone
        #expect(store.expand("${${company}}") == "${ACME}")
        #expect(store.expand("${100}") == "")
    }

    @Test func expansionIsOnePass() throws {
        let store = try variables(["a": "${b}", "b": "deep"])
        #expect(store.expand("${a}") == "${b}")
    }

    @Test func valuesAreCutAtTheLimit() throws {
        var limits = SieveLimits()
        limits.variableSize = 4
        var store = SieveVariables(limits: limits)
        try store.set("x", to: "abécd")  // "é" is two bytes: "abé" is four
        #expect(store.value(of: "x") == "abé")
        limits.variables = 1
        var small = SieveVariables(limits: limits)
        try small.set("a", to: "1")
        try small.set("A", to: "2")  // the same variable
        #expect(throws: SieveVariableError.self) { try small.set("b", to: "3") }
    }

    @Test func variableNames() {
        #expect(SieveVariables.isValidName("_x1"))
        #expect(!SieveVariables.isValidName("1x"))
        #expect(!SieveVariables.isValidName("a.b"))
        #expect(!SieveVariables.isValidName(""))
    }

    @Test func modifiersApplyInPrecedenceOrder() {
        // RFC 5229 §4.1's examples.
        #expect(SieveSetModifier.apply([.length], to: "juMBlEd lETteRS") == "15")
        #expect(SieveSetModifier.apply([.lower], to: "juMBlEd lETteRS") == "jumbled letters")
        #expect(SieveSetModifier.apply([.upperfirst], to: "juMBlEd lETteRS") == "JuMBlEd lETteRS")
        #expect(SieveSetModifier.apply([.upperfirst, .lower], to: "juMBlEd lETteRS") == "Jumbled letters")
        #expect(SieveSetModifier.apply([.quotewildcard], to: "Rock*") == #"Rock\*"#)
        // :length after :quotewildcard counts the backslashes it added.
        #expect(SieveSetModifier.apply([.length, .quotewildcard], to: "a*?") == "5")
        #expect(SieveSetModifier.apply([.lowerfirst], to: "") == "")
        #expect(SieveSetModifier.apply([.length], to: "ümlaut") == "6")
        #expect(SieveSetModifier.apply([.quoteregex], to: "a.b(c)") == #"a\.b\(c\)"#)
        #expect(SieveSetModifier.apply([.encodeurl], to: "a b/ü") == "a%20b%2F%C3%BC")
    }

    // MARK: - Flags

    @Test func flagListsSplitAtSpacesAndDropDuplicatesIgnoringCase() {
        #expect(SieveFlags.parse(["\\Seen  \\Flagged", "\\seen", "$Label1"]) == ["\\Seen", "\\Flagged", "$Label1"])
        #expect(SieveFlags.parse(["", "  "]) == [])
        #expect(SieveFlags.adding(["\\DELETED", "\\Answered"], to: ["\\Deleted"]) == ["\\Deleted", "\\Answered"])
        #expect(SieveFlags.removing(["\\SEEN"], from: ["\\Seen", "\\Flagged"]) == ["\\Flagged"])
        #expect(SieveFlags.joined(["\\Seen", "\\Flagged"]) == "\\Seen \\Flagged")
    }
}
