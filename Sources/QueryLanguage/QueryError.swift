/// A query that cannot be parsed, with the 1-based column (in characters) where the problem starts.
public struct QueryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var column: Int
    public var message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    /// For example `query error at column 14: unclosed quote`.
    public var description: String { "query error at column \(column): \(message)" }
}
