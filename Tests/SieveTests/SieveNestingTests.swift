import Testing

@testable import Sieve

/// Ways a script can nest (RFC 5228 §8.2: blocks, tests taking a test, test lists), each a
/// prefix repeated on one line, with the column at which its nesting level `level` begins.
enum SieveNesting: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case ifBlocks, unknownCommandBlocks, elsifBlocks, anyof, allof, not, unknownTests, notAllof

    /// The script and the column of level `level`.
    func script(levels: Int) -> String {
        switch self {
        case .ifBlocks: String(repeating: "if true {", count: levels) + "keep;" + String(repeating: "}", count: levels)
        case .unknownCommandBlocks: String(repeating: "x {", count: levels) + "keep;" + String(repeating: "}", count: levels)
        case .elsifBlocks:
            String(repeating: "if false {} elsif true {", count: levels) + "keep;" + String(repeating: "}", count: levels)
        case .anyof: "if " + String(repeating: "anyof (", count: levels) + "true" + String(repeating: ")", count: levels) + " {}"
        case .allof: "if " + String(repeating: "allof (", count: levels) + "true" + String(repeating: ")", count: levels) + " {}"
        case .not: "if " + String(repeating: "not ", count: levels) + "true {}"
        case .unknownTests: "if " + String(repeating: "x ", count: levels) + "true {}"
        case .notAllof:
            "if " + String(repeating: "not allof (", count: levels) + "true" + String(repeating: ")", count: levels) + " {}"
        }
    }

    func column(ofLevel level: Int) -> Int {
        switch self {
        case .ifBlocks: (level - 1) * 9 + 4  // the test "true" of the level-th `if`, one level inside its block
        case .unknownCommandBlocks: (level - 1) * 3 + 3  // each "{"
        case .elsifBlocks: (level - 1) * 24 + 4  // the test "false" of the level-th `if`
        case .anyof, .allof: level == 1 ? 4 : 3 + 7 * (level - 1)  // the first test, then each "("
        case .not: 4 + 4 * (level - 1)  // each "not"
        case .unknownTests: 4 + 2 * (level - 1)  // each "x"
        case .notAllof:  // the first "not", then the "allof" (even levels) and "(" (odd) of each "not allof ("
            level == 1 ? 4 : level % 2 == 0 ? 8 + 11 * (level / 2 - 1) : 14 + 11 * ((level - 1) / 2 - 1)
        }
    }

    var testDescription: String { rawValue }
}

/// However deep a script nests, compiling it fails at the line and column where the level past
/// `SieveParser.maximumNestingDepth` begins: the parser, validator and interpreter recurse once
/// per level, and no script can take them deeper than the bound.
@Test(arguments: SieveNesting.allCases, [SieveParser.maximumNestingDepth + 1, 50_000, 1_000_000])
func scriptNestedTooDeepFailsAtItsPlace(_ nesting: SieveNesting, levels: Int) throws {
    let error = try #require(throws: SieveError.self) { try SieveScript(source: nesting.script(levels: levels)) }
    let limit = SieveParser.maximumNestingDepth
    #expect(error.location == SourceLocation(line: 1, column: nesting.column(ofLevel: limit + 1)))
    #expect(error.message == "nesting too deep (more than \(limit) levels)")
}

/// At the bound itself, every shape the grammar knows compiles (the validator refuses unknown names).
@Test(arguments: SieveNesting.allCases.filter { $0 != .unknownCommandBlocks && $0 != .unknownTests })
func scriptNestedToTheBoundCompiles(_ nesting: SieveNesting) throws {
    let bound = SieveParser.maximumNestingDepth
    let levels = switch nesting {
    case .ifBlocks, .elsifBlocks: bound  // the deepest test and block are at the depth of their `if`
    case .anyof, .allof, .not: bound - 1  // the test inside is one level deeper
    case .notAllof: (bound - 1) / 2  // two levels each, and the outermost `not`
    case .unknownCommandBlocks, .unknownTests: 0
    }
    _ = try SieveScript(source: nesting.script(levels: levels))
}
