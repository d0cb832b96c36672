// Placeholder until the parser lands (issue 5, in progress).
enum SieveParser {
    static func parse(_ source: String) throws(SieveError) -> [SieveCommand] {
        throw SieveError("the Sieve parser is not built yet", at: SourceLocation(line: 1, column: 1))
    }
}
