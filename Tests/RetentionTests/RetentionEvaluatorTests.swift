import Catalog
import Foundation
import MailStore
import Retention
import Testing

/// Periods, where they start, and the pure decision per message.
@Suite struct RetentionEvaluatorTests {
    typealias F = RetentionFixtures

    @Test func periodsParseAndAddCalendarTimeInUTC() {
        #expect(RetentionPeriod(parsing: "30d") == RetentionPeriod(amount: 30, unit: .days))
        #expect(RetentionPeriod(parsing: "18M") == RetentionPeriod(amount: 18, unit: .months))
        for bad in ["", "d", "10", "10w", "-1d", "1.5y", "1001y", " 1y", "12000m"] {
            #expect(RetentionPeriod(parsing: bad) == nil, "\(bad)")
        }
        let start = F.day("2020-01-31", hour: 10)
        #expect(RetentionPeriod(amount: 1, unit: .months).end(from: start) == F.day("2020-02-29", hour: 10))
        #expect(RetentionPeriod(amount: 90, unit: .days).end(from: start) == start.addingTimeInterval(90 * 86_400))
        #expect(RetentionPeriod(amount: 1, unit: .years).end(from: F.day("2020-02-29")) == F.day("2021-02-28"))
    }

    @Test func lengthsCompareSafelyAcrossUnits() {
        func p(_ text: String) -> RetentionPeriod { RetentionPeriod(parsing: text)! }
        #expect(p("10y").isNeverShorter(than: p("120m")) && p("120m").isNeverShorter(than: p("10y")))
        #expect(!p("6y").isNeverShorter(than: p("10y")))
        #expect(!p("365d").isNeverShorter(than: p("1y")))  // a leap year has 366 days
        #expect(p("366d").isNeverShorter(than: p("1y")))
        #expect(!p("1m").isNeverShorter(than: p("30d")))  // February
        #expect(p("2y").isNeverShorter(than: p("700d")))
    }

    @Test func periodsStartFromTheReceivedTimeAPlausibleDateTheArchiveTimeOrTheYearEnd() {
        // Imported in 2021, received (by its Received: trace) on 2020-03-15 09:00.
        let received = F.day("2020-03-15", hour: 9)
        func candidate(date: Date?) -> RetentionCandidate {
            RetentionCandidate(sha256: "a", date: date, archivedAt: F.day("2021-05-01"), receivedAt: received)
        }
        #expect(CountFrom.received.start(of: candidate(date: nil)) == received)
        #expect(CountFrom.archived.start(of: candidate(date: nil)) == F.day("2021-05-01"))
        // message-date: a plausible Date: counts; one the sender made up falls back to the received time.
        let cases: [(date: Date?, start: Date)] = [
            (F.day("2020-03-14", hour: 22), F.day("2020-03-14", hour: 22)),  // written the evening before
            (F.day("2020-03-16", hour: 8), F.day("2020-03-16", hour: 8)),    // within a day after receipt
            (F.day("2020-03-17"), received),                                  // more than a day in the future
            (F.day("2019-01-01"), received),                                  // backdated past the tolerance
            (Date(timeIntervalSince1970: -86_400), received),                 // before 1970
            (nil, received),
        ]
        for (date, start) in cases {
            #expect(CountFrom.messageDate.start(of: candidate(date: date)) == start, "Date: \(String(describing: date))")
        }
        // year-end: 1 January after the year of the received time, whatever Date: says.
        #expect(CountFrom.yearEnd.start(of: candidate(date: F.day("2024-06-01"))) == F.day("2021-01-01"))
        // December 31, 23:59 UTC still belongs to its year.
        let late = RetentionCandidate(sha256: "c", date: nil, archivedAt: F.day("2021-01-01"),
                                      receivedAt: F.day("2020-12-31", hour: 23))
        #expect(CountFrom.yearEnd.start(of: late) == F.day("2021-01-01"))
    }

    static func policy(_ name: String, retain: String, countFrom: CountFrom = .messageDate,
                       action: RetentionAction = .purge) -> RetentionPolicy {
        RetentionPolicy(name: name, match: "*", query: nil, retain: RetentionPeriod(parsing: retain)!,
                        countFrom: countFrom, action: action, source: PolicySource(file: "t.toml", line: 1))
    }

    @Test func longestRetentionWinsAndUnmatchedMailIsKept() {
        let a = RetentionCandidate(sha256: "a", date: F.day("2020-03-15"), archivedAt: F.day("2020-03-15"))
        let b = RetentionCandidate(sha256: "b", date: F.day("2024-01-10"), archivedAt: F.day("2024-01-10"))
        let policies = [Self.policy("short", retain: "90d"), Self.policy("letters", retain: "6y", countFrom: .yearEnd)]
        // "short" matches a and b; "letters" matches a only; a message neither matches is never looked at.
        let evaluation = RetentionEvaluator.evaluate(
            policies: policies, matches: ["short": [a, b], "letters": [a]], holds: [:], asOf: F.day("2025-01-01"))
        #expect(evaluation.due.map(\.sha256) == ["b"])
        #expect(evaluation.due[0].policy == "short" && evaluation.due[0].expiredAt == F.day("2024-04-09"))
        #expect(evaluation.governed == 2)
        let letters = evaluation.summaries[1]
        #expect(letters.matches == 1 && letters.governs == 1 && letters.due == 0)
        #expect(letters.nextExpiry == F.day("2027-01-01") && letters.oldest == F.day("2020-03-15"))
        #expect(evaluation.summaries[0].governs == 1 && evaluation.summaries[0].matches == 2)
        // On 1 January 2027 the letter's period is over too.
        let later = RetentionEvaluator.evaluate(
            policies: policies, matches: ["short": [a, b], "letters": [a]], holds: [:], asOf: F.day("2027-01-01"))
        #expect(later.due.map(\.sha256) == ["b", "a"] && later.due[1].policy == "letters")
    }

    @Test func aLongerKeepPolicyProtectsAndATieGoesToTheGentlerAction() {
        let a = RetentionCandidate(sha256: "a", date: F.day("2020-03-15"), archivedAt: F.day("2020-03-15"))
        let keepLonger = [Self.policy("purge", retain: "1y"), Self.policy("keep", retain: "2y", action: .keep)]
        let asOf = F.day("2030-01-01")
        #expect(RetentionEvaluator.evaluate(policies: keepLonger, matches: ["purge": [a], "keep": [a]], holds: [:],
                                            asOf: asOf).due.isEmpty)
        let tie = [Self.policy("purge", retain: "1y"), Self.policy("archive-only", retain: "12m", action: .purgeArchive)]
        let due = RetentionEvaluator.evaluate(policies: tie, matches: ["purge": [a], "archive-only": [a]], holds: [:],
                                              asOf: asOf).due
        #expect(due.map(\.policy) == ["archive-only"] && due[0].purgeItem?.scope == .archiveOnly)
        // A shorter keep policy does not protect.
        let keepShorter = [Self.policy("purge", retain: "2y"), Self.policy("keep", retain: "1y", action: .keep)]
        #expect(RetentionEvaluator.evaluate(policies: keepShorter, matches: ["purge": [a], "keep": [a]], holds: [:],
                                            asOf: asOf).due.map(\.sha256) == ["a"])
    }

    @Test func aFallbackGovernsOnlyWhatNoOtherPolicyMatches() {
        // Imported mail: received in 2020, archived (imported) in 2025.
        let old = RetentionCandidate(sha256: "old", date: F.day("2020-03-15"), archivedAt: F.day("2025-06-01"),
                                     receivedAt: F.day("2020-03-15"))
        let other = RetentionCandidate(sha256: "other", date: F.day("2020-03-16"), archivedAt: F.day("2025-06-01"),
                                       receivedAt: F.day("2020-03-16"))
        var keepAll = Self.policy("keep-everything", retain: "10y", countFrom: .archived, action: .keep)
        let newsletters = Self.policy("newsletters", retain: "90d", countFrom: .received)
        let matches = ["keep-everything": [old, other], "newsletters": [old]]
        let asOf = F.day("2025-07-01")
        // As an ordinary policy, the keep period counted from the import ends last and wins.
        let outranked = RetentionEvaluator.evaluate(policies: [keepAll, newsletters], matches: matches, holds: [:],
                                                    asOf: asOf)
        #expect(outranked.due.isEmpty && outranked.summaries[1].governs == 0)
        #expect(outranked.summaries[1].governedByOthers == ["keep-everything": 1])
        // As a fallback it gives way to the purge policy and keeps only what nothing else matches.
        keepAll.fallback = true
        let evaluation = RetentionEvaluator.evaluate(policies: [keepAll, newsletters], matches: matches, holds: [:],
                                                     asOf: asOf)
        #expect(evaluation.due.map(\.sha256) == ["old"] && evaluation.due[0].policy == "newsletters")
        #expect(evaluation.summaries[0].matches == 2 && evaluation.summaries[0].governs == 1)
        #expect(evaluation.summaries[0].governedByOthers == ["newsletters": 1] && evaluation.summaries[0].fallback)
        #expect(evaluation.summaries[1].governs == 1 && evaluation.summaries[1].governedByOthers.isEmpty)
        #expect(evaluation.governed == 2)
        // Among fallbacks alone the usual rule holds: the longest period wins.
        var shortFallback = Self.policy("short-fallback", retain: "1d", countFrom: .received)
        shortFallback.fallback = true
        let fallbacks = RetentionEvaluator.evaluate(
            policies: [keepAll, shortFallback], matches: ["keep-everything": [other], "short-fallback": [other]],
            holds: [:], asOf: asOf)
        #expect(fallbacks.due.isEmpty && fallbacks.summaries[0].governs == 1)
    }

    @Test func heldMessagesAreNeverDue() {
        let a = RetentionCandidate(sha256: "a", date: F.day("2020-03-15"), archivedAt: F.day("2020-03-15"))
        let b = RetentionCandidate(sha256: "b", date: F.day("2020-03-16"), archivedAt: F.day("2020-03-16"))
        let evaluation = RetentionEvaluator.evaluate(
            policies: [Self.policy("p", retain: "1d")], matches: ["p": [a, b]],
            holds: ["case-1": ["a", "zzz"], "case-2": ["a"]], asOf: F.day("2021-01-01"))
        #expect(evaluation.due.map(\.sha256) == ["b"])
        #expect(evaluation.held.map(\.sha256) == ["a"] && evaluation.held[0].heldBy == ["case-1", "case-2"])
        // The summary counts as the lists do: one due (purged by a run), one held.
        #expect(evaluation.summaries[0].due == 1 && evaluation.summaries[0].held == 1)
        #expect(evaluation.purgeItems == [PurgeItemExpectation.item("b", "p")])
    }

    @Test func asOfIsTheStartOfTheDayInUTC() {
        #expect(RetentionDate.parse("2027-01-01") == Date(timeIntervalSince1970: 1_798_761_600))
        for bad in ["2027-1-01", "2027-02-30", "27-01-01", "2027-13-01", "2027-01-01T00:00", ""] {
            #expect(RetentionDate.parse(bad) == nil, "\(bad)")
        }
        #expect(RetentionDate.day(F.day("2027-01-01", hour: 23)) == "2027-01-01")
    }
}

enum PurgeItemExpectation {
    static func item(_ sha256: String, _ policy: String) -> PurgeItem {
        PurgeItem(sha256: sha256, policy: policy, scope: .archiveAndMailboxes)
    }
}
