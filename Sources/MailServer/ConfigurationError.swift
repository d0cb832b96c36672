/// A problem with `tresor.toml`, naming the file, line and key, e.g.
/// `tresor.toml:7: smtp.port: must be an integer from 0 to 65535, not 70000`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, as the user named it.
    public var file: String
    /// 1-based line, when the key (or its table) could be found in the text.
    public var line: Int?
    /// The dotted key, e.g. `smtp.port`; empty for a syntax error.
    public var key: String
    public var problem: String

    public init(file: String, line: Int?, key: String, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(place): \(problem)" : "\(place): \(key): \(problem)"
    }
}
