@testable import Catalog
import QueryLanguage
import Testing

/// The words a snippet marks are found by FTS5 with the index's own folding, so what is marked is
/// what the search matched, in the text as written.
@Suite struct MatchHighlighterTests {
    func marked(_ query: String, _ text: String, field: SnippetField = .body) async throws -> [String] {
        let expression = try #require(MatchHighlighter.expression(try SearchQuery(parsing: query), for: field))
        let scalars = Array(text.unicodeScalars)
        return try await MatchHighlighter.matches(of: expression, in: text).map {
            String(String.UnicodeScalarView(scalars[$0]))
        }
    }

    @Test func sharpSMatchesDoubleSInBothDirections() async throws {
        #expect(try await marked("strasse", "Die Hauptstraße, dann die Straße 9.") == ["Straße"])
        #expect(try await marked("straße", "Strasse und STRASSE") == ["Strasse", "STRASSE"])
        // Offsets after a folded ß still land on the original text.
        #expect(try await marked("gruss", "Straße, Maßstab, Grüße und Gruss") == ["Gruss"])
        #expect(try await marked("strasse", "STRAẞE") == ["STRAẞE"])
    }

    @Test func diacriticsAndCaseAreFoldedBothWays() async throws {
        #expect(try await marked("zoe", "Zoë wrote to ZOE") == ["Zoë", "ZOE"])
        #expect(try await marked("zoë", "zoe") == ["zoe"])
        #expect(try await marked("cafe", "Cafe\u{301} au lait") == ["Cafe\u{301}"])
    }

    @Test func prefixesPhrasesAndSeveralWords() async throws {
        #expect(try await marked("contr*", "the contract and the controller") == ["contract", "controller"])
        #expect(try await marked("\"signed papers\"", "papers signed; signed papers") == ["signed papers"])
        #expect(try await marked("alpha OR omega", "omega then alpha") == ["omega", "alpha"])
        #expect(try await marked("alpha", "no such word here").isEmpty)
    }

    @Test func wordsThatMustBeAbsentOrBelongElsewhereAreNotMarked() throws {
        let query = try SearchQuery(parsing: "subject:quarterly -draft in:attachment:clause from:alice")
        #expect(MatchHighlighter.expression(query, for: .body) == nil)
        #expect(MatchHighlighter.expression(query, for: .subject) == "text : \"quarterly\"")
        #expect(MatchHighlighter.expression(query, for: .attachmentText) == "text : \"clause\"")
        #expect(MatchHighlighter.expression(try SearchQuery(parsing: "-secret"), for: .body) == nil)
    }

    @Test func textHoldingTheMarkersGetsNoMarksRatherThanWrongOnes() async throws {
        #expect(try await marked("word", "a word \u{F8F0} here").isEmpty)
    }
}
