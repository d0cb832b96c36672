/// One thing wrong with a policy file, e.g.
/// `retention-policies/mail.toml:12: policy "newsletters": retain: "90 days" is not a period like 30d, 18m or 10y`.
public struct PolicyProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the user would name it.
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

/// Every problem found while loading the policy files (all files are checked, not only up to the first
/// problem), one per line.
public struct PolicyLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [PolicyProblem]

    public init(problems: [PolicyProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
