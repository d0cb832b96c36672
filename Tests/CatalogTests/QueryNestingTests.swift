import Foundation
import QueryLanguage
import StoreModel
import TestSupport
import Testing

@testable import Catalog

/// Ways a query can nest: a prefix repeated, the term in the middle, and what closes each prefix;
/// `levelOffsets` are where in the prefix a nesting level (a parenthesis or a negation) begins.
enum QueryNesting: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case parentheses, unclosedParentheses, minus, not, negatedParentheses, alternatives, conjunctions
    case addressAlternatives, negatedAddresses

    private var parts: (prefix: String, inner: String, suffix: String, levelOffsets: [Int]) {
        switch self {
        case .parentheses: ("(", "merger", ")", [0])
        case .unclosedParentheses: ("(", "merger", "", [0])
        case .minus: ("-", "merger", "", [0])
        case .not: ("NOT ", "merger", "", [0])
        case .negatedParentheses: ("-(falcon ", "merger", ")", [0, 1])
        case .alternatives: ("(falcon OR ", "merger", ")", [0])
        case .conjunctions: ("(falcon ", "merger", ")", [0])
        case .addressAlternatives: ("(to:bob@example.com OR larger:1 ", "merger", ")", [0])
        case .negatedAddresses: ("-(from:zoe@example.com ", "to:bob@example.com", ")", [0, 1])
        }
    }

    /// The query nested `levels` deep, or one level deeper when a prefix opens two.
    func query(levels: Int) -> String {
        let (prefix, inner, suffix, offsets) = parts
        let repeats = (levels + offsets.count - 1) / offsets.count
        return String(repeating: prefix, count: repeats) + inner + String(repeating: suffix, count: repeats)
    }

    /// The column of the first character of nesting level `level` (1-based).
    func column(ofLevel level: Int) -> Int {
        let (prefix, _, _, offsets) = parts
        return (level - 1) / offsets.count * prefix.count + offsets[(level - 1) % offsets.count] + 1
    }

    var testDescription: String { rawValue }
}

/// However deep a query nests, the parser answers with an error at the column where the level
/// past `SearchQuery.maximumNesting` begins: no recursion runs deeper than that bound, so a
/// hostile query cannot exhaust the stack (`tresor search` with 50,000 nested parentheses used
/// to end in a segmentation fault).
@Test(arguments: QueryNesting.allCases, [SearchQuery.maximumNesting + 1, 50_000, 1_000_000])
func queryNestedTooDeepNamesTheColumn(_ nesting: QueryNesting, levels: Int) throws {
    let text = nesting.query(levels: levels)
    let error = try #require(throws: QueryError.self) { try SearchQuery(parsing: text) }
    let column = nesting.column(ofLevel: SearchQuery.maximumNesting + 1)
    #expect(error.column == column)
    #expect(error.description.hasPrefix("query error at column \(column): "))
}

/// Every shape at the bound itself parses, and its SQL (and FTS5 expressions) runs: the bound is
/// within what SQLite's parser stack takes.
@Test func queriesNestedToTheBoundRun() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try Catalog(path: directory.appendingPathComponent("catalog.sqlite"))
        var fixtures = CatalogFixtures()
        let raw = """
            From: Zoe <zoe@example.com>
            To: Bob <bob@example.com>
            Subject: Merger with Globex
            Date: Fri, 15 Mar 2024 10:00:00 +0000

            Project Falcon.

            """
        try await catalog.messages.index([fixtures.item(raw, sha256: CatalogFixtures.fakeSHA256(1))])
        for nesting in QueryNesting.allCases where nesting != .unclosedParentheses {
            let query = try SearchQuery(parsing: nesting.query(levels: SearchQuery.maximumNesting))
            await #expect(throws: Never.self, "\(nesting)") { _ = try await catalog.messages.count(query) }
            await #expect(throws: Never.self, "\(nesting)") { _ = try await catalog.messages.search(query, limit: 10) }
        }
    }
}
