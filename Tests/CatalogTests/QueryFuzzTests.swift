import ArchiveStore
import Foundation
import MailMessage
import TestSupport
import Testing

@testable import Catalog
@testable import QueryLanguage
import StoreModel


/// Pieces of the query grammar, valid and not, that random queries are assembled from.
private let fragments: [String] = [
    "from:", "to:", "cc:", "bcc:", "participant:", "domain:", "subject:", "body:", "attachment:", "message-id:",
    "after:", "before:", "on:", "larger:", "smaller:", "has:", "direction:", "source:", "form:", "x:", "-", "--",
    "NOT ", " OR ", " AND ", "or", "(", ")", "((", "))", "\"", "\"a b\"", "\"\"", "*", "**", "\\", "\\\"",
    "alice", "Zoë", "ÉCOLE", "invoic*", "e-mail", "12:30", "@example.com", "bob@example.com", "ali*@ex*",
    "<id@host>", "2024-01-01", "2024-02", "2024", "2023-02-29", "10k", "5M", "1G", "999999999999999999G",
    "attachment", "in", "out", "internal", "imported", "smtp", "imp*", "NEAR", "NEAR(a b)", "{subject body}",
    "^start", "col:umn", "'", "';", "%", "_", "%_", "\u{0}", "\u{7F}", "\t", "\n", "🙂", "日本語", "ß", "İ",
    "\u{301}", "x\u{301}", "\u{FFFD}", "0", "-0", "1e9", "..", ".", "@", "@@", ":", "::", "a:b:c", "subject:(",
    "DROP TABLE message", "rowid", "message_fts", "merger", "falcon", "globex",
]

private func randomQuery(_ rng: inout SplitMix64) -> String {
    switch rng.next() % 4 {
    case 0:  // random bytes, decoded leniently
        let count = Int(rng.next() % 40)
        let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return String(decoding: bytes, as: UTF8.self)
    case 1:  // random printable ASCII with the grammar's special characters over-represented
        let alphabet = Array("abcXYZ019 :\"()-*@.<>\\'%_OR AND")
        let count = Int(rng.next() % 30)
        return String((0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    default:  // grammar fragments, glued or spaced
        let count = 1 + Int(rng.next() % 8)
        var query = ""
        for _ in 0..<count {
            query += fragments[Int(rng.next() % UInt64(fragments.count))]
            if rng.next() % 3 != 0 { query += " " }
        }
        return query
    }
}

/// 100,000 random queries: none may crash the parser, and every one that parses must run
/// against a real catalog without an SQL (or FTS5 syntax) error reaching the caller.
@Test func randomQueriesEitherFailToParseOrRun() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try Catalog(path: directory.appendingPathComponent("catalog.sqlite"))
        var fixtures = CatalogFixtures()
        let raw = """
            From: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.com>
            To: Bob <bob@example.com>
            Subject: Merger with Globex
            Date: Fri, 15 Mar 2024 10:00:00 +0000
            Message-ID: <id@host>

            Project Falcon: the e-mail at 12:30.

            """
        try await catalog.messages.index([
            fixtures.item(raw, sha256: CatalogFixtures.fakeSHA256(1), recipients: ["hidden@vault.example"]),
            fixtures.item(raw.replacingOccurrences(of: "Merger", with: "Invoice"),
                          sha256: CatalogFixtures.fakeSHA256(2), direction: .outbound, source: MessageSource("import")),
        ])
        let seeds: [UInt64] = [0x7E50_0001, 0x7E50_0002]
        let tallies = try await withThrowingTaskGroup(of: (parsed: Int, rejected: Int).self) { group in
            for seed in seeds {
                group.addTask {
                    var rng = SplitMix64(state: seed)
                    var parsed = 0, rejected = 0
                    for n in 0..<50_000 {
                        let text = randomQuery(&rng)
                        let query: SearchQuery
                        do throws(QueryError) {
                            query = try SearchQuery(parsing: text)
                        } catch {
                            #expect(error.column >= 1 && error.column <= text.count + 1, "\(text.debugDescription)")
                            rejected += 1
                            continue
                        }
                        parsed += 1
                        do {
                            if n % 8 == 0 {
                                _ = try await catalog.messages.search(query, limit: 3, offset: 0)
                            } else {
                                _ = try await catalog.messages.count(query)
                            }
                        } catch {
                            Issue.record("seed \(seed) query \(text.debugDescription): \(error)")
                        }
                    }
                    return (parsed, rejected)
                }
            }
            var total = (parsed: 0, rejected: 0)
            for try await tally in group { total = (total.parsed + tally.parsed, total.rejected + tally.rejected) }
            return total
        }
        #expect(tallies.parsed + tallies.rejected == 100_000)
        // Both outcomes are exercised in quantity.
        #expect(tallies.parsed > 20_000)
        #expect(tallies.rejected > 20_000)
    }
}
