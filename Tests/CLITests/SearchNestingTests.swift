import Foundation
import Testing
import TestSupport

/// `tresor search` with a query nested far past the query language's bound (32 levels) exits with
/// status 2 and names the column of the first level too many, where 50,000 nested parentheses
/// used to end the process with a segmentation fault.
@Suite struct SearchNestingTests {
    func tresor(_ dir: URL, _ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.path])
    }

    static let deep = String(repeating: "(", count: 50_000) + "merger" + String(repeating: ")", count: 50_000)

    @Test func searchNestedFiftyThousandDeepNamesTheColumn() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            let result = try tresor(dir, ["search", Self.deep, "--count"])
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("query error at column 33: "))
        }
    }
}
