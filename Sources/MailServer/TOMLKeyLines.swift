/// Where each key of a TOML document sits, by line, found by scanning the text.
///
/// TOMLKit reports positions only for syntax errors, not for the nodes of a parsed document,
/// so configuration errors find their line here: every `key = value` line and every
/// `[table]` / `[[array]]` header is recorded under its full dotted path (TOML v1.0.0
/// "Keys", "Table", "Array of Tables"). The n-th table of an array (from 0) is also recorded as
/// `path[n]`, with its keys under `path[n].key`, so an error names the entry it is in. A key
/// inside an inline table is not recorded; `line(of:)` then falls back to the nearest
/// enclosing key that is.
struct TOMLKeyLines: Sendable {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var table: [String] = []
        var arrayEntries: [String: Int] = [:]  // tables seen so far per array of tables
        var openMultiline: String?  // the delimiter of a multi-line string being skipped
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingSpaces()
            if let delimiter = openMultiline {
                if line.occurrences(of: delimiter) % 2 == 1 { openMultiline = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let inner = line.drop { $0 == "[" }.prefix { $0 != "]" }
                table = Self.keyPath(Substring(inner))
                let path = table.joined(separator: ".")
                record(path, number)
                if line.hasPrefix("[["), let last = table.popLast() {
                    let entry = arrayEntries[path, default: 0]
                    arrayEntries[path] = entry + 1
                    table.append("\(last)[\(entry)]")
                    record(table.joined(separator: "."), number)
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let path = table + Self.keyPath(line[..<equals])
            record(path.joined(separator: "."), number)
            let value = line[line.index(after: equals)...]
            for delimiter in ["\"\"\"", "'''"] where value.occurrences(of: delimiter) % 2 == 1 {
                openMultiline = delimiter
            }
        }
    }

    private mutating func record(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    /// The line of `path` (dotted), else of its nearest recorded parent, else nil.
    func line(of path: String) -> Int? {
        var parts = path.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let line = lines[parts.joined(separator: ".")] { return line }
            parts.removeLast()
        }
        return nil
    }

    /// `a."b.c" . d` → ["a", "b.c", "d"]: dotted keys, bare or quoted (TOML v1.0.0 "Keys").
    private static func keyPath(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(current.trimmingSpaces()); current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingSpaces())
        return parts
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    fileprivate func occurrences(of needle: String) -> Int {
        var count = 0
        var rest = Substring(self)
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
