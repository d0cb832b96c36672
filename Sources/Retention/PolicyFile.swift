import TOMLKit
import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One policy file: TOML v1.0.0 with one or more `[[policy]]` tables and nothing else.
///
/// ```toml
/// [[policy]]
/// name = "newsletters"                   # required; letters, digits, - _ . ; unique across files
/// description = "Marketing mail is no business record"
/// match = "from:newsletter@* OR subject:unsubscribe"   # required; search language, or "*" for all
/// retain = "90d"                         # required; <n>d, <n>m or <n>y
/// count_from = "message-date"            # required; received, message-date, archived or year-end
/// action = "purge"                       # required; purge, purge-archive or keep
/// locked = false                         # optional; true: never shortened or loosened later
/// fallback = false                       # optional; true: governs only what no other policy matches
/// ```
public enum PolicyFile {
    /// The keys a `[[policy]]` table may have.
    static let keys = ["name", "description", "match", "retain", "count_from", "action", "locked", "fallback"]

    /// Parses one file's text. `file` names it in problems. Returns the policies, or throws every
    /// problem found (each with its line).
    public static func parse(_ text: String, file: String) throws(PolicyLoadError) -> [RetentionPolicy] {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw PolicyLoadError(problems: [PolicyProblem(
                file: file, line: error.source.begin.line,
                problem: "column \(error.source.begin.column): \(error.description)")])
        } catch {
            throw PolicyLoadError(problems: [PolicyProblem(file: file, line: nil, problem: "\(error)")])
        }
        let lines = PolicyFileLines(text: text)
        var problems: [PolicyProblem] = []
        for key in root.keys.sorted(by: { (lines.otherKeys[$0] ?? 0) < (lines.otherKeys[$1] ?? 0) })
        where key != "policy" {
            problems.append(PolicyProblem(
                file: file, line: lines.otherKeys[key],
                problem: "unknown key \"\(key)\" (a policy file holds only [[policy]] tables)"))
        }
        guard let value = root["policy"] else {
            if problems.isEmpty {
                problems.append(PolicyProblem(file: file, line: nil, problem: "no [[policy]] table"))
            }
            throw PolicyLoadError(problems: problems)
        }
        guard let array = value.array, array.type == .array else {
            problems.append(PolicyProblem(file: file, line: lines.otherKeys["policy"],
                                          problem: "policy must be written as [[policy]] tables"))
            throw PolicyLoadError(problems: problems)
        }
        var policies: [RetentionPolicy] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                problems.append(PolicyProblem(file: file, line: lines.otherKeys["policy"],
                                              problem: "policy must be written as [[policy]] tables"))
                continue
            }
            var reader = PolicyTableReader(table: table, index: index, lines: lines, file: file)
            if let policy = reader.policy() { policies.append(policy) }
            problems += reader.problems
        }
        var seen: [String: Int] = [:]
        for policy in policies {
            if let first = seen[policy.name] {
                problems.append(PolicyProblem(
                    file: file, line: policy.source.line,
                    problem: "policy \"\(policy.name)\" is defined twice (first at line \(first))"))
            } else {
                seen[policy.name] = policy.source.line
            }
        }
        guard problems.isEmpty else {
            throw PolicyLoadError(problems: problems.enumerated().sorted {
                ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset)
            }.map(\.element))
        }
        return policies
    }
}

/// Reads one `[[policy]]` table, collecting every problem instead of stopping at the first.
private struct PolicyTableReader {
    let table: TOMLTable
    let index: Int
    let lines: PolicyFileLines
    let file: String
    var problems: [PolicyProblem] = []
    private var label = "policy"

    init(table: TOMLTable, index: Int, lines: PolicyFileLines, file: String) {
        self.table = table
        self.index = index
        self.lines = lines
        self.file = file
        label = "policy #\(index + 1)"
    }

    private mutating func problem(_ key: String?, _ text: String) {
        let line = key.flatMap { lines.line(ofKey: $0, inPolicy: index) } ?? lines.header(ofPolicy: index)
        problems.append(PolicyProblem(file: file, line: line, problem: "\(label): " + (key.map { "\($0): " } ?? "") + text))
    }

    private mutating func string(_ key: String, required: Bool) -> String? {
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

    mutating func policy() -> RetentionPolicy? {
        let name = string("name", required: true)
        if let name {
            if name.isEmpty || name.count > 100
                || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
            {
                problem("name", "\"\(name)\" must be 1 to 100 letters, digits, '-', '_' or '.'")
            } else {
                label = "policy \"\(name)\""
            }
        }
        for key in table.keys.sorted(by: { (lines.line(ofKey: $0, inPolicy: index) ?? 0)
                                            < (lines.line(ofKey: $1, inPolicy: index) ?? 0) })
        where !PolicyFile.keys.contains(key) {
            var text = "unknown key"
            if let close = PolicyFile.keys.first(where: { EditDistance.between($0, key) <= 2 }) { text += " (did you mean \(close)?)" }
            problem(key, text)
        }
        let description = string("description", required: false) ?? ""
        let match = string("match", required: true)
        var query: SearchQuery?
        if let match {
            let trimmed = match.trimmingCharacters(in: .whitespaces)
            if trimmed != RetentionPolicy.matchEverything {
                do { query = try SearchQuery(parsing: match) } catch {
                    problem("match", "\(error) in \"\(match)\"")
                }
            }
        }
        var retain: RetentionPeriod?
        if let text = string("retain", required: true) {
            retain = RetentionPeriod(parsing: text.trimmingCharacters(in: .whitespaces))
            if retain == nil {
                problem("retain", "\"\(text)\" is not a period like 30d, 18m or 10y (days, months, years; at most 1000 years)")
            }
        }
        var countFrom: CountFrom?
        if let text = string("count_from", required: true) {
            countFrom = CountFrom(rawValue: text)
            if countFrom == nil {
                problem("count_from", "\"\(text)\" must be one of received, message-date, archived, year-end")
            }
        }
        var action: RetentionAction?
        if let text = string("action", required: true) {
            action = RetentionAction(rawValue: text)
            if action == nil { problem("action", "\"\(text)\" must be one of purge, purge-archive, keep") }
        }
        var locked = false
        if let value = table["locked"] {
            if let bool = value.bool { locked = bool } else { problem("locked", "must be true or false, not \(value.type)") }
        }
        var fallback = false
        if let value = table["fallback"] {
            if let bool = value.bool { fallback = bool } else { problem("fallback", "must be true or false, not \(value.type)") }
        }
        if fallback && locked {
            // A lock promises a minimum period for every message the policy matches; a fallback gives
            // way to every other policy, so it could not keep that promise.
            problem("fallback", "a fallback policy cannot be locked (a lock must govern every message it matches)")
        }
        guard problems.isEmpty, let name, let match, let retain, let countFrom, let action else { return nil }
        return RetentionPolicy(
            name: name, description: description, match: match.trimmingCharacters(in: .whitespaces), query: query,
            retain: retain, countFrom: countFrom, action: action, locked: locked, fallback: fallback,
            source: PolicySource(file: file, line: lines.header(ofPolicy: index) ?? 1))
    }
}
