@testable import MailStore
import StoreModel
import Testing

/// A snippet is a stretch around the first match, cut at white space, with its matches' offsets
/// pointing at the words in the stretch (code points) and the same words in brackets.
@Suite struct SnippetWindowTests {
    func words(_ snippet: SearchSnippet) -> [String] {
        let scalars = Array(snippet.text.unicodeScalars)
        return snippet.matches.map { String(String.UnicodeScalarView(scalars[$0.offset..<$0.offset + $0.length])) }
    }

    @Test func aShortTextIsShownWholeWithWhiteSpaceRunsAsOneSpace() throws {
        let text = "Dear Zoë,\n\n  the Straße   is closed.\n"
        let straße = 17..<23
        #expect(String(String.UnicodeScalarView(Array(text.unicodeScalars)[straße])) == "Straße")
        let snippet = try #require(SnippetWindow.cut(text, matches: [straße], source: .body))
        #expect(snippet.text == "Dear Zoë, the Straße is closed.")
        #expect(words(snippet) == ["Straße"])
        #expect(snippet.marked == "Dear Zoë, the [Straße] is closed.")
    }

    @Test func aLongTextIsCutAtWordsAroundTheFirstMatch() throws {
        let before = (1...40).map { "w\($0)" }.joined(separator: " ")
        let after = (41...140).map { "w\($0)" }.joined(separator: " ")
        let text = before + " zqmarker " + after + " zqmarker"
        let scalars = Array(text.unicodeScalars)
        let first = before.unicodeScalars.count + 1
        let last = scalars.count - 8
        let snippet = try #require(SnippetWindow.cut(text, matches: [first..<first + 8, last..<last + 8], source: .body))
        #expect(snippet.text.hasPrefix("… w"))
        #expect(snippet.text.hasSuffix(" …"))
        // Whole words only at both ends, and the match far away is not in the window.
        let inner = snippet.text.dropFirst(2).dropLast(2)
        #expect(inner.split(separator: " ").allSatisfy { $0 == "zqmarker" || $0.hasPrefix("w") && Int($0.dropFirst()) != nil })
        #expect(words(snippet) == ["zqmarker"])
        #expect(snippet.text.unicodeScalars.count <= SnippetWindow.length + 4)
        #expect(snippet.marked.contains(" [zqmarker] "))
    }

    @Test func noMatchNoSnippet() {
        #expect(SnippetWindow.cut("some text", matches: [], source: .body) == nil)
    }
}
