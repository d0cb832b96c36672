/// One thing wrong with a DLP rule file, e.g. `dlp/cards.toml:4: rule "cards": action: "drop" is not …`.
public struct DLPProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the administrator would name it.
    public var file: String
    /// 1-based line, when the problem has one.
    public var line: Int?
    public var problem: String

    public init(file: String, line: Int?, problem: String) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    public var description: String { line.map { "\(file):\($0): \(problem)" } ?? "\(file): \(problem)" }
}

/// Every problem found in the rule files (all files are read, not only up to the first problem).
public struct DLPLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [DLPProblem]

    public init(problems: [DLPProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
