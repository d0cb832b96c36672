import StoreModel

/// Cuts a snippet out of a text around its first match: some words before it, the match and what
/// follows up to `length` scalars, cut at white space, with runs of white space (line breaks too)
/// shown as one space and "…" where text was left out. Pure; offsets are Unicode scalars.
enum SnippetWindow {
    /// Scalars of context before the first match, and the most a snippet holds (before "…").
    static let before = 60, length = 200

    static func cut(_ text: String, matches: [Range<Int>], source: SearchSnippet.Source, attachment: String? = nil,
                    part: String? = nil) -> SearchSnippet? {
        let scalars = Array(text.unicodeScalars)
        guard let first = matches.first, first.upperBound <= scalars.count else { return nil }
        var start = max(0, first.lowerBound - before)
        var end = min(scalars.count, max(first.upperBound, start + length))
        // Whole words only: step forward past a word cut at the start, back before one cut at the end.
        if start > 0 {
            var moved = start
            while moved < first.lowerBound, !isSpace(scalars[moved - 1]) { moved += 1 }
            start = moved
        }
        if end < scalars.count {
            var moved = end
            while moved > first.upperBound, !isSpace(scalars[moved]) { moved -= 1 }
            end = moved
        }
        var out: [Unicode.Scalar] = []
        // Where each scalar of the window lands in `out` (white space runs share one place).
        var position = [Int](repeating: 0, count: end - start + 1)
        if start > 0 { out += ["…", " "] }
        var wroteWord = false, pendingSpace = false
        for index in start..<end {
            let scalar = scalars[index]
            if isSpace(scalar) {
                pendingSpace = wroteWord
                position[index - start] = out.count
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            position[index - start] = out.count
            out.append(scalar)
            wroteWord = true
        }
        position[end - start] = out.count
        if end < scalars.count { out += [" ", "…"] }
        let shown = matches.filter { $0.lowerBound >= start && $0.upperBound <= end }.map { range in
            let from = position[range.lowerBound - start]
            let to = position[range.upperBound - start]
            return SearchSnippet.Match(offset: from, length: max(0, to - from))
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: out)
        return SearchSnippet(source: source, attachment: attachment, part: part, text: String(view), matches: shown)
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
    }
}
