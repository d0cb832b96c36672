import QueryLanguage
import TOMLKit

/// One DLP rule file: TOML v1.0.0 with one or more `[[rule]]` tables and nothing else.
///
/// ```toml
/// [[rule]]
/// name = "cards"                          # required; letters, digits, - _ . ; unique across files
/// detect = ["payment-card"]               # payment-card | iban | regex | attachment-type | external-recipient
/// pattern = "(?i)project\\s+falcon"      # with regex
/// types = ["pdf", "application/zip"]      # with attachment-type: extensions and/or MIME types
/// query = "subject:invoice"               # optional; the search language, on the one message
/// action = "reject"                       # required; reject | quarantine | notify | copy
/// notify = "dpo@example.com"              # with notify
/// copy_to = "compliance@example.com"      # with copy
/// ```
/// A rule needs `detect`, `query`, or both; everything it lists must hold for it to match.
public enum DLPRuleFile {
    static let keys = ["name", "detect", "pattern", "types", "query", "action", "notify", "copy_to"]

    /// Parses one file's text; `file` names it in problems. Throws every problem found, each with its line.
    public static func parse(_ text: String, file: String) throws(DLPLoadError) -> [DLPRule] {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw DLPLoadError(problems: [DLPProblem(
                file: file, line: error.source.begin.line,
                problem: "column \(error.source.begin.column): \(error.description)")])
        } catch {
            throw DLPLoadError(problems: [DLPProblem(file: file, line: nil, problem: "\(error)")])
        }
        let lines = DLPRuleFileLines(text: text)
        var problems: [DLPProblem] = []
        for key in root.keys.sorted(by: { (lines.otherKeys[$0] ?? 0) < (lines.otherKeys[$1] ?? 0) }) where key != "rule" {
            problems.append(DLPProblem(file: file, line: lines.otherKeys[key],
                                       problem: "unknown key \"\(key)\" (a rule file holds only [[rule]] tables)"))
        }
        guard let value = root["rule"] else {
            if problems.isEmpty { problems.append(DLPProblem(file: file, line: nil, problem: "no [[rule]] table")) }
            throw DLPLoadError(problems: problems)
        }
        guard let array = value.array, array.type == .array else {
            problems.append(DLPProblem(file: file, line: lines.otherKeys["rule"],
                                       problem: "rule must be written as [[rule]] tables"))
            throw DLPLoadError(problems: problems)
        }
        var rules: [DLPRule] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                problems.append(DLPProblem(file: file, line: lines.otherKeys["rule"],
                                           problem: "rule must be written as [[rule]] tables"))
                continue
            }
            var reader = DLPRuleReader(table: table, index: index, lines: lines, file: file)
            if let rule = reader.rule() { rules.append(rule) }
            problems += reader.problems
        }
        guard problems.isEmpty else {
            throw DLPLoadError(problems: problems.enumerated().sorted {
                ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset)
            }.map(\.element))
        }
        return rules
    }
}

/// Reads one `[[rule]]` table, collecting every problem instead of stopping at the first.
private struct DLPRuleReader {
    let table: TOMLTable
    let index: Int
    let lines: DLPRuleFileLines
    let file: String
    var problems: [DLPProblem] = []
    private var label: String

    init(table: TOMLTable, index: Int, lines: DLPRuleFileLines, file: String) {
        self.table = table
        self.index = index
        self.lines = lines
        self.file = file
        label = "rule #\(index + 1)"
    }

    private mutating func problem(_ key: String?, _ text: String) {
        let line = key.flatMap { lines.line(ofKey: $0, inRule: index) } ?? lines.header(ofRule: index)
        problems.append(DLPProblem(file: file, line: line, problem: "\(label): " + (key.map { "\($0): " } ?? "") + text))
    }

    private mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = table[key] else {
            if required { problem(nil, "\(key) is missing") }
            return nil
        }
        guard let string = value.string else {
            problem(key, "must be a string, not \(value.type)")
            return nil
        }
        return string
    }

    private mutating func strings(_ key: String) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            problem(key, "must be a list of strings like [\"a\", \"b\"]")
            return nil
        }
        var result: [String] = []
        for element in array {
            guard let string = element.string else {
                problem(key, "must be a list of strings like [\"a\", \"b\"]")
                return nil
            }
            result.append(string)
        }
        return result
    }

    /// An address for notify/copy_to: one local-part@domain, no spaces or angle brackets.
    private mutating func address(_ key: String) -> String? {
        guard let text = string(key) else {
            if table[key] == nil { problem(nil, "\(key) is missing (the address for this action)") }
            return nil
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," })
        else {
            problem(key, "\"\(text)\" is not an address like compliance@example.com")
            return nil
        }
        return text
    }

    mutating func rule() -> DLPRule? {
        let name = string("name", required: true)
        if let name {
            if name.isEmpty || name.count > 100
                || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
            {
                problem("name", "\"\(name)\" must be 1 to 100 letters, digits, '-', '_' or '.'")
            } else {
                label = "rule \"\(name)\""
            }
        }
        for key in table.keys.sorted(by: { (lines.line(ofKey: $0, inRule: index) ?? 0)
                                            < (lines.line(ofKey: $1, inRule: index) ?? 0) })
        where !DLPRuleFile.keys.contains(key) {
            problem(key, "unknown key (one of \(DLPRuleFile.keys.joined(separator: ", ")))")
        }
        let detectors = readDetectors()
        let queryText = string("query")
        var query: SearchQuery?
        if let queryText {
            do { query = try SearchQuery(parsing: queryText) } catch { problem("query", "\(error) in \"\(queryText)\"") }
        }
        if table["detect"] == nil && queryText == nil { problem(nil, "needs detect, query, or both") }
        let action = readAction()
        guard let name, let detectors, let action, problems.isEmpty else { return nil }
        return DLPRule(name: name, detectors: detectors, query: query, queryText: queryText, action: action, file: file,
                       line: lines.header(ofRule: index) ?? 0)
    }

    private mutating func readDetectors() -> [DLPDetector]? {
        guard let words = strings("detect") else { return table["detect"] == nil ? [] : nil }
        var detectors: [DLPDetector] = []
        for word in words {
            switch word {
            case "payment-card": detectors.append(.paymentCard)
            case "iban": detectors.append(.iban)
            case "external-recipient": detectors.append(.externalRecipient)
            case "regex":
                guard table["pattern"] != nil else {
                    problem("detect", "regex needs pattern = \"...\"")
                    return nil
                }
                guard let pattern = string("pattern") else { return nil }
                do { _ = try Regex(pattern) } catch {
                    problem("pattern", "\"\(pattern)\" is not a regular expression: \(error)")
                    return nil
                }
                detectors.append(.regex(pattern: pattern))
            case "attachment-type":
                guard table["types"] != nil else {
                    problem("detect", "attachment-type needs types = [\"pdf\", ...] (extensions or MIME types)")
                    return nil
                }
                guard let types = strings("types") else { return nil }
                guard !types.isEmpty else {
                    problem("types", "lists no extension or MIME type")
                    return nil
                }
                detectors.append(.attachmentType(types.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }))
            default:
                problem("detect", "\"\(word)\" is not one of \(DLPDetector.words.joined(separator: ", "))")
                return nil
            }
        }
        if words.isEmpty { problem("detect", "lists no detector") }
        return detectors
    }

    private mutating func readAction() -> DLPAction? {
        guard let word = string("action", required: true) else { return nil }
        switch word {
        case "reject": return .reject
        case "quarantine": return .quarantine
        case "notify": return address("notify").map { .notify(address: $0) }
        case "copy": return address("copy_to").map { .copy(address: $0) }
        default:
            problem("action", "\"\(word)\" is not one of reject, quarantine, notify, copy")
            return nil
        }
    }
}
