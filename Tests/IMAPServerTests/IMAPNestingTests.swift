import Testing

@testable import IMAPServer

/// Ways a SEARCH can nest (RFC 9051 §6.4.4: parenthesized key lists, NOT and OR take keys), each
/// built to a depth, with the octet of the command at which a given nesting level begins.
enum IMAPSearchNesting: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case parentheses, not, or, notParentheses, unclosedParentheses

    private static let command = "a SEARCH "

    func line(levels: Int) -> String {
        switch self {
        case .parentheses:
            Self.command + String(repeating: "(", count: levels) + "SEEN" + String(repeating: ")", count: levels)
        case .not: Self.command + String(repeating: "NOT ", count: levels) + "SEEN"
        case .or: Self.command + String(repeating: "OR ", count: levels) + "SEEN" + String(repeating: " SEEN", count: levels)
        case .notParentheses:
            Self.command + String(repeating: "NOT (", count: (levels + 1) / 2) + "SEEN"
                + String(repeating: ")", count: (levels + 1) / 2)
        case .unclosedParentheses: Self.command + String(repeating: "(", count: levels) + "SEEN"
        }
    }

    /// The octet (from 1, the tag's first) where nesting level `level` (from 1) begins: the "(" of
    /// a list, or the first octet of the key of a NOT or an OR.
    func octet(ofLevel level: Int) -> Int {
        let start = Self.command.utf8.count
        switch self {
        case .parentheses, .unclosedParentheses: return start + level
        case .not: return start + 4 * level + 1
        case .or: return start + 3 * level + 1
        case .notParentheses: return start + 5 * ((level + 1) / 2)  // NOT's key and its list open at one "("
        }
    }

    var testDescription: String { rawValue }
}

/// However deep a SEARCH nests, the parser refuses it with BAD at the octet where the level past
/// `IMAPLimits.nestingDepth` begins, and goes on with the next command: no recursion runs deeper
/// than the bound. The line limit is raised for the million levels, so that the nesting bound is
/// what refuses them.
@Test(arguments: IMAPSearchNesting.allCases, [IMAPLimits().nestingDepth + 1, 50_000, 1_000_000])
func searchNestedTooDeepIsRefusedWithItsPlace(_ nesting: IMAPSearchNesting, levels: Int) throws {
    var limits = IMAPLimits()
    limits.lineLength = 16 << 20
    let all = events(nesting.line(levels: levels) + "\r\na NOOP\r\n", limits: limits)
    #expect(all.count == 2)
    guard case .error(let error)? = all.first else {
        Issue.record("not refused: \(String(describing: all.first))")
        return
    }
    let octet = nesting.octet(ofLevel: limits.nestingDepth + 1)
    #expect(error.tag == "a")
    #expect(error.status == .bad)
    #expect(error.text == "lists and search keys nested more than \(limits.nestingDepth) deep (at octet \(octet) of the command)")
    #expect(all.last == .command(IMAPTaggedCommand(tag: "a", command: .noop)))
}

/// At the bound itself, every shape parses.
@Test(arguments: IMAPSearchNesting.allCases.filter { $0 != .unclosedParentheses })
func searchNestedToTheBoundParses(_ nesting: IMAPSearchNesting) {
    let line = nesting.line(levels: IMAPLimits().nestingDepth)
    #expect(command(line).map { if case .search = $0 { true } else { false } } == true)
}
