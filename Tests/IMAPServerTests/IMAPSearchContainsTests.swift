import Testing

@testable import IMAPServer

/// The case-insensitive substring test under every SEARCH text key (RFC 3501 §6.4.4).
@Suite struct IMAPSearchContainsTests {
    @Test(arguments: [
        ("Please transfer the funds", "ransf", true),
        ("Please TRANSFER the funds", "Ransf", true),
        ("Ärger im Büro", "äRGER", true),
        ("Ärger im Büro", "büro", true),
        ("Ärger im Büro", "buro", false),
        ("naïve café", "VE CAF", true),
        ("short", "shorter", false),
        ("", "x", false),
        ("anything", "", true),
        ("aaab", "aab", true),
        ("日本語のメール", "のメ", true),
        ("日本語のメール", "メル", false),
        // Sharp s is "ss" on both sides (full case folding), whichever is written.
        ("Hauptstraße 5", "STRASSE", true),
        ("HAUPTSTRASSE 5", "straße", true),
        ("HAUPTSTRAẞE 5", "strasse", true),
        ("Hauptstrasse 5", "STRAẞE", true),
        ("Maße", "masse", true),
        ("Straße", "stras", true),
        ("Straße", "strase", false),
    ])
    func contains(_ haystack: String, _ needle: String, _ expected: Bool) {
        #expect(IMAPSearchEvaluator.contains(haystack, Array(needle.utf8)) == expected)
    }
}
