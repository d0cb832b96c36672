import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Every text-bearing MIME part is searchable, through both doors: IMAP SEARCH BODY and TEXT over
/// a real imaplib session, and the legal search (ComplianceService), which share one extraction
/// (`Message.plainText`). Sharp s matches "ss" both ways; diacritics stay folded in the legal search.
@Suite struct MIMETextSearchEndToEndTests {
    @Test func everyTextBearingPartIsFoundByIMAPSearchAndTheLegalSearch() async throws {
        let cases = TextBearingMessages.all
        var distinct: [[UInt8]] = []
        for c in cases where !distinct.contains(c.message) { distinct.append(c.message) }
        let messages = distinct + [TextBearingMessages.sharpS, TextBearingMessages.plainSS]
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            var steps: [[String]] = [
                ["a", "connect", String(harness.imap), "plain"],
                ["a", "login", "alice@localhost", "correct horse"],
            ]
            for message in messages { steps.append(["a", "append", "Archive", "", IMAPEndToEndTests.b64(message)]) }
            steps.append(["a", "select", "Archive"])
            let searchesFrom = steps.count
            for c in cases {
                steps.append(["a", "uid", "SEARCH", "BODY", c.marker])
                steps.append(["a", "uid", "SEARCH", "TEXT", c.marker.uppercased()])
            }
            steps.append(["a", "uid", "SEARCH", "BODY", "STRASSE"])
            steps.append(["a", "uid", "SEARCH", "TEXT", "grosse"])
            steps.append(["a", "uid", "SEARCH", "BODY", "munchen"])
            steps.append(["a", "uid", "SEARCH", "NOT", "BODY", "zqdsnreason"])
            steps.append(["a", "logout"])
            let r = try await IMAPEndToEndTests.imap(steps, stepsFile: harness.dataDirectory.appendingPathComponent("steps.json"))
            #expect(r.count == steps.count, "\(r)")
            for index in 2..<(2 + messages.count) { #expect(r[index][0].string == "OK", "APPEND: \(r[index])") }
            func uids(_ i: Int) -> [String] {
                r[i][1].flattened.split(whereSeparator: \.isWhitespace).map(String.init)
            }
            for (n, c) in cases.enumerated() {
                let uid = String(distinct.firstIndex(of: c.message)! + 1)
                // A nested message's header fields are TEXT, not BODY (as Dovecot answers).
                let body = c.kind.hasSuffix("header") ? [] : [uid]
                #expect(uids(searchesFrom + 2 * n) == body, "BODY \(c.kind): \(r[searchesFrom + 2 * n])")
                #expect(uids(searchesFrom + 2 * n + 1) == [uid], "TEXT \(c.kind): \(r[searchesFrom + 2 * n + 1])")
            }
            let folding = searchesFrom + 2 * cases.count
            let sharp = String(distinct.count + 1), plain = String(distinct.count + 2)
            #expect(uids(folding) == [sharp, plain], "BODY STRASSE finds Straße and Strasse: \(r[folding])")
            #expect(uids(folding + 1) == [sharp], "TEXT grosse finds GROẞE: \(r[folding + 1])")
            #expect(uids(folding + 2).isEmpty, "IMAP keeps diacritics: \(r[folding + 2])")
            let dsn = String(distinct.firstIndex { $0 == cases.first { $0.marker == "zqdsnreason" }!.message }! + 1)
            #expect(uids(folding + 3).count == messages.count - 1 && !uids(folding + 3).contains(dsn), "\(r[folding + 3])")
        } after: { store in
            try await Self.checkLegalSearch(store, cases)
        }
    }

    static func found(_ query: String, _ store: MailStore) async throws -> Int {
        try await store.compliance.search(try SearchQuery(parsing: query), by: .system("test")).count
    }

    /// The same parts through the legal search, and its folding.
    static func checkLegalSearch(_ store: MailStore, _ cases: [(kind: String, marker: String, message: [UInt8])])
        async throws
    {
        for c in cases {
            #expect(try await Self.found(c.marker, store) == 1, "legal search, \(c.kind)")
            #expect(try await Self.found("body:\(c.marker)", store) == 1, "legal search body:, \(c.kind)")
        }
        // Words, not substrings: "hauptstrasse" finds "Hauptstraße", "bahnhofstraße" finds "Bahnhofstrasse".
        #expect(try await Self.found("hauptstrasse", store) == 1)
        #expect(try await Self.found("Hauptstraße", store) == 1)
        #expect(try await Self.found("stra*", store) == 0, "a prefix starts a word")
        #expect(try await Self.found("hauptstr*", store) == 1)
        #expect(try await Self.found("hauptstraẞe", store) == 1)
        #expect(try await Self.found("grosse einfahrt", store) == 1)
        #expect(try await Self.found("\"GROßE EINFAHRT\"", store) == 1)
        #expect(try await Self.found("munchen", store) == 1, "diacritics stay folded")
        #expect(try await Self.found("MÜNCHEN", store) == 1)
        #expect(try await Self.found("bahnhofstraße", store) == 1)
    }
}
