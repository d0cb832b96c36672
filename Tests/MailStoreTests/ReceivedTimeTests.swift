import ArchiveStore
import Catalog
import Foundation
import MailMessage
@testable import MailStore
import Testing
import TestSupport

/// The received time retention counts from: chosen from the traces a message carries, each only
/// when plausible, stored in the envelope record (so `reindex` brings back the same) and the catalog.
@Suite struct ReceivedTimeTests {
    /// The import in every case below: 2026-06-01 12:00 UTC.
    static let archivedAt = Date(timeIntervalSince1970: 1_780_315_200)

    static func raw(received: String? = nil, date: String? = nil, tag: String = "x") -> [UInt8] {
        var text = ""
        if let received { text += "Received: from relay.example.com by mx.example.org; \(received)\r\n" }
        text += "From: <a@example.com>\r\nTo: <b@example.org>\r\nSubject: dated \(tag)\r\n"
        if let date { text += "Date: \(date)\r\n" }
        return Array((text + "\r\nbody \(tag)\r\n").utf8)
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var received: String?
        var date: String?
        var hint: ReceivedTimeHint?
        var expected: Date?  // nil: the import time
        var source: ReceivedTimeSource
        var description: String { name }
    }

    static let mboxDate = Date(timeIntervalSince1970: 1_000_000_000)     // 2001-09-09 01:46:40 UTC
    static let maildirDate = Date(timeIntervalSince1970: 1_100_000_000)  // 2004-11-09 11:33:20 UTC

    static let cases: [Case] = [
        Case(name: "year 1 in Date:, a 2001 Received:", received: "Mon, 29 Oct 2001 14:16:03 -0800",
             date: "Sat, 29 Oct 0001 14:15:47 -0800", expected: Date(timeIntervalSince1970: 1_004_393_763),
             source: .receivedField),
        Case(name: "year 1 in Date: and nothing else", date: "Sat, 29 Oct 0001 14:15:47 -0800", expected: nil,
             source: .importTime),
        Case(name: "year 1 in Date:, from an mbox", date: "Sat, 29 Oct 0001 14:15:47 -0800",
             hint: .mboxSeparator(mboxDate), expected: mboxDate, source: .mboxSeparator),
        Case(name: "weekday between date and time", date: "2002/09/14 Sat 02:29:32 CDT",
             expected: Date(timeIntervalSince1970: 1_031_988_572), source: .dateField),
        Case(name: "two-digit year 97", date: "Mon, 3 Feb 97 10:00:00 +0000",
             expected: Date(timeIntervalSince1970: 854_964_000), source: .dateField),
        Case(name: "two-digit year 03", date: "Mon, 3 Feb 03 10:00:00 +0000",
             expected: Date(timeIntervalSince1970: 1_044_266_400), source: .dateField),
        Case(name: "no Date:", expected: nil, source: .importTime),
        Case(name: "no Date:, from a Maildir", hint: .maildirName(maildirDate), expected: maildirDate, source: .maildirName),
        Case(name: "unparsable Date:", date: "yesterday afternoon", expected: nil, source: .importTime),
        Case(name: "Date: in 2031", date: "Tue, 1 Jul 2031 09:00:00 +0000", expected: nil, source: .importTime),
        Case(name: "Date: a few hours after the import", date: "Mon, 1 Jun 2026 20:00:00 +0000",
             expected: Date(timeIntervalSince1970: 1_780_344_000), source: .dateField),
        Case(name: "Date: before 1970", date: "Wed, 31 Dec 1969 23:00:00 +0000", expected: nil, source: .importTime),
        Case(name: "Received: in the future falls back to Date:", received: "Fri, 1 Jan 2038 00:00:00 +0000",
             date: "Mon, 3 Feb 97 10:00:00 +0000", expected: Date(timeIntervalSince1970: 854_964_000), source: .dateField),
        Case(name: "Received: without a date falls back to the Maildir name", received: "whenever",
             date: "Mon, 3 Feb 97 10:00:00 +0000", hint: .maildirName(maildirDate), expected: maildirDate,
             source: .maildirName),
    ]

    @Test(arguments: cases) func theFirstPlausibleTraceWins(_ example: Case) {
        let message = Message(parsing: Self.raw(received: example.received, date: example.date))
        let chosen = ReceivedTimeRule.choose(for: message, hint: example.hint, archivedAt: Self.archivedAt)
        #expect(chosen.source == example.source)
        #expect(chosen.date == (example.expected ?? Self.archivedAt))
    }

    @Test func theTopmostReceivedFieldIsTheLastHop() {
        let raw = Array(("Received: from b by c; Tue, 2 Jan 2024 10:00:00 +0000\r\n"
                         + "Received: from a by b; Mon, 1 Jan 2024 10:00:00 +0000\r\nSubject: hops\r\n\r\nx\r\n").utf8)
        let chosen = ReceivedTimeRule.choose(for: Message(parsing: raw), hint: nil, archivedAt: Self.archivedAt)
        #expect(chosen.source == .receivedField && chosen.date == Date(timeIntervalSince1970: 1_704_189_600))
    }

    @Test func importedReceivedTimesAreStoredAndComeBackAfterReindex() async throws {
        try await withTemporaryDirectory { dir in
            let keys = dir.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            _ = try ArchiveKey.create(inKeysDirectory: keys)
            let store = try MailStore(dataDirectory: dir, clock: .fixed(Self.archivedAt))
            defer { store.close() }
            var session = ImportSession(store: store, batchSize: 4)
            for (n, example) in Self.cases.enumerated() {
                try await session.add(ImportCandidate(raw: Self.raw(received: example.received, date: example.date, tag: "c\(n)"),
                                                      origin: example.name, sourceDetail: "test", hint: example.hint))
            }
            try await session.flush()
            func snapshot() async throws -> [String: (Date, ReceivedTimeSource)] {
                let hits = try await store.catalog.messages.search(SearchQuery(parsing: "subject:dated"), limit: nil, offset: 0)
                return Dictionary(uniqueKeysWithValues: hits.map { ($0.subject ?? "", ($0.receivedAt, $0.receivedFrom)) })
            }
            let before = try await snapshot()
            #expect(before.count == Self.cases.count)
            for (n, example) in Self.cases.enumerated() {
                let stored = try #require(before["dated c\(n)"], "\(example.name)")
                #expect(stored.0 == (example.expected ?? Self.archivedAt) && stored.1 == example.source, "\(example.name)")
            }
            _ = try await store.delivery.reindex()
            let after = try await snapshot()
            #expect(after.count == before.count)
            for (subject, value) in before {
                #expect(after[subject]?.0 == value.0 && after[subject]?.1 == value.1, "\(subject) after reindex")
            }
        }
    }
}
