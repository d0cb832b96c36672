/// One thing wrong in a file an administrator writes (retention policies, DLP rules), with its
/// place: `retention-policies/mail.toml:12: policy "newsletters": retain: "90 days" is not …`.
public struct FileLineProblem: Error, Sendable, Hashable, CustomStringConvertible {
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

/// Every problem found while loading a folder of such files (all files are read, not only up to
/// the first problem), one per line.
public struct FileLineProblems: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [FileLineProblem]

    public init(problems: [FileLineProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
