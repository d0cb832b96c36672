/// Where the `[[rule]]` tables of a rule file and their keys sit, by line, found by scanning the
/// text: TOMLKit reports positions only for syntax errors. Knows the subset of TOML v1.0.0 a rule
/// file uses: comments, `[[rule]]` headers, `key = value` lines (an array may span lines).
struct DLPRuleFileLines: Sendable {
    /// The header line of each `[[rule]]`, in file order (TOMLKit's array order).
    private(set) var ruleHeaders: [Int] = []
    /// Per rule, each key's line.
    private(set) var ruleKeys: [[String: Int]] = []
    /// Keys and table headers outside any `[[rule]]`.
    private(set) var otherKeys: [String: Int] = [:]

    init(text: String) {
        var inRule = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") && !line.hasPrefix("[\"") {
                let name = String(line.drop { $0 == "[" }.prefix { $0 != "]" }.filter { $0 != " " && $0 != "\t" })
                inRule = line.hasPrefix("[[") && name == "rule"
                if inRule {
                    ruleHeaders.append(number)
                    ruleKeys.append([:])
                } else if otherKeys[name] == nil {
                    otherKeys[name] = number
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            var key = String(line[..<equals].filter { $0 != " " && $0 != "\t" })
            if key.count >= 2, let first = key.first, first == "\"" || first == "'", key.last == first {
                key = String(key.dropFirst().dropLast())
            }
            if inRule {
                if ruleKeys[ruleKeys.count - 1][key] == nil { ruleKeys[ruleKeys.count - 1][key] = number }
            } else if otherKeys[key] == nil {
                otherKeys[key] = number
            }
        }
    }

    func line(ofKey key: String, inRule index: Int) -> Int? {
        index < ruleKeys.count ? ruleKeys[index][key] : nil
    }

    func header(ofRule index: Int) -> Int? {
        index < ruleHeaders.count ? ruleHeaders[index] : nil
    }
}
