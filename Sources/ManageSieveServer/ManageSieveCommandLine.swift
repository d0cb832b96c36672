/// One client command as framed (RFC 5804 §1.2: a line, or lines joined by literals), before
/// the grammar reads it: the text of each line without its CRLF, and the octets of each literal.
///
/// Every line but the last ends with a literal header (`{n+}`); `literals[i]` holds the `n`
/// octets that followed the CRLF of `lines[i]`. The last line ends the command.
public struct ManageSieveCommandLine: Hashable, Sendable {
    public var lines: [[UInt8]]
    public var literals: [[UInt8]]

    public init(lines: [[UInt8]], literals: [[UInt8]] = []) {
        precondition(lines.count == literals.count + 1, "one more line than literals")
        self.lines = lines
        self.literals = literals
    }

    /// A command without literals, from text (for tests and tools).
    public init(_ text: String) {
        self.init(lines: [Array(text.utf8)])
    }
}

extension ManageSieveCommandLine {
    // literal-c2s = "{" number "+}" CRLF *OCTET       (RFC 5804 §4)
    /// The literal header ending `line`: where its "{" is, its octet count, and whether it had
    /// the "+"; nil when the line does not end with one. More than ten digits count as `Int.max`.
    static func literalHeader(endingAt line: [UInt8]) -> (start: Int, count: Int, nonSynchronizing: Bool)? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var index = line.count - 2
        let nonSynchronizing = index >= 0 && line[index] == UInt8(ascii: "+")
        if nonSynchronizing { index -= 1 }
        let digitsEnd = index + 1
        while index >= 0, line[index] >= 0x30, line[index] <= 0x39 { index -= 1 }
        let digits = line[(index + 1)..<digitsEnd]
        guard !digits.isEmpty, index >= 0, line[index] == UInt8(ascii: "{") else { return nil }
        guard digits.count <= 10 else { return (index, Int.max, nonSynchronizing) }
        return (index, digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }, nonSynchronizing)
    }
}
