/// A `:matches` key (RFC 5228 §2.7.1): "*" matches zero or more characters, "?" exactly one,
/// and a backslash makes the next character literal ("\\*" in a script is the string `\*`,
/// a literal star). A trailing lone backslash stands for itself.
///
/// Matching also yields what each wildcard matched, in order, for the match variables
/// `${1}`…`${9}` of RFC 5229 §3.2 ("${0}" is the whole string). Each "*" takes the shortest
/// text that still lets the rest of the pattern match, leftmost first: "[*] *" on
/// "[acme-users] [fwd] out" gives "acme-users" and "[fwd] out", as RFC 5229 §3.2's example has it.
public struct SieveWildcardPattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case one  // "?"
        case many  // "*"
    }

    let tokens: [Token]

    public init(_ pattern: String) {
        var tokens: [Token] = []
        var escaped = false
        for scalar in pattern.unicodeScalars {
            if escaped {
                tokens.append(.literal(scalar))
                escaped = false
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case "*": tokens.append(.many)
            case "?": tokens.append(.one)
            default: tokens.append(.literal(scalar))
            }
        }
        if escaped { tokens.append(.literal("\\")) }
        self.tokens = tokens
    }

    /// Whether `text` matches under `comparator`; on success, the texts of the wildcards in
    /// pattern order (empty when the pattern has none). The classic backtrack-to-the-last-star
    /// algorithm: only the most recent "*" ever needs to grow, so the work is at most
    /// text length × pattern length, never exponential.
    public func match(_ text: String, comparator: SieveComparator) -> [String]? {
        let scalars = Array(text.unicodeScalars)
        // For each token that is a wildcard: the range of `scalars` it took.
        var taken = [Range<Int>](repeating: 0..<0, count: tokens.count)
        var tokenIndex = 0
        var textIndex = 0
        var lastStar: (token: Int, start: Int, end: Int)? = nil
        while textIndex < scalars.count {
            if tokenIndex < tokens.count {
                switch tokens[tokenIndex] {
                case .one:
                    taken[tokenIndex] = textIndex..<(textIndex + 1)
                    tokenIndex += 1
                    textIndex += 1
                    continue
                case .literal(let expected) where comparator.equal(expected, scalars[textIndex]):
                    tokenIndex += 1
                    textIndex += 1
                    continue
                case .many:
                    lastStar = (tokenIndex, textIndex, textIndex)
                    taken[tokenIndex] = textIndex..<textIndex
                    tokenIndex += 1
                    continue
                case .literal:
                    break
                }
            }
            // Mismatch: let the last "*" take one more character and retry after it.
            guard var star = lastStar else { return nil }
            star.end += 1
            lastStar = star
            taken[star.token] = star.start..<star.end
            tokenIndex = star.token + 1
            textIndex = star.end
        }
        while tokenIndex < tokens.count, tokens[tokenIndex] == .many {
            taken[tokenIndex] = scalars.count..<scalars.count
            tokenIndex += 1
        }
        guard tokenIndex == tokens.count else { return nil }
        var captures: [String] = []
        for (index, token) in tokens.enumerated() {
            if case .literal = token { continue }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[taken[index]])
            captures.append(String(view))
        }
        return captures
    }
}
