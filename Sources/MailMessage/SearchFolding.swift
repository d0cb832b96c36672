/// The folding every text search applies on top of its own case folding, to both the text and
/// the words looked for: the full-text index (documents and query terms) and IMAP SEARCH's
/// substring test, so the two never disagree.
///
/// - `ß` (U+00DF) and `ẞ` (U+1E9E) become "ss", as Unicode's full case folding maps both
///   (CaseFolding.txt, status F): "Straße", "STRAẞE" and "Strasse" are one word. SQLite's
///   `unicode61` tokenizer keeps `ß` as a letter of its own, so the index needs it done first.
///
/// Deterministic and independent of locale: a contentless FTS5 document is removed by handing
/// back exactly the values it was indexed with, so this must give the same answer every time.
public enum SearchFolding {
    /// The text with every sharp s spelled "ss"; the same string when it holds none.
    public static func fold(_ text: String) -> String {
        guard mayHoldSharpS(text) else { return text }
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00DF, 0x1E9E: folded.append(contentsOf: ["s", "s"] as [Unicode.Scalar])
            default: folded.append(scalar)
            }
        }
        return String(folded)
    }

    /// Whether the UTF-8 holds the lead bytes of U+00DF (C3 9F) or U+1E9E (E1 BA 9E): a quick
    /// pass that leaves most text untouched.
    private static func mayHoldSharpS(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if (previous == 0xC3 && byte == 0x9F) || (previous == 0xBA && byte == 0x9E) { return true }
            previous = byte
        }
        return false
    }
}
