#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the `[[policy]]` tables of a policy file and their keys sit, by line, found by scanning the
/// text: TOMLKit reports positions only for syntax errors (as `TOMLKeyLines` in MailServer notes).
/// Knows the subset of TOML v1.0.0 a policy file uses: comments, `[[policy]]` headers, `key = value`
/// lines, and multi-line strings (skipped).
struct PolicyFileLines: Sendable {
    /// The header line of each `[[policy]]`, in file order (TOMLKit's array order).
    private(set) var policyHeaders: [Int] = []
    /// Per policy, each key's line.
    private(set) var policyKeys: [[String: Int]] = []
    /// Keys and table headers outside any `[[policy]]`.
    private(set) var otherKeys: [String: Int] = [:]

    init(text: String) {
        var inPolicy = false
        var openMultiline: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if let delimiter = openMultiline {
                if line.components(separatedBy: delimiter).count % 2 == 0 { openMultiline = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let name = String(line.drop { $0 == "[" }.prefix { $0 != "]" }).trimmingCharacters(in: " \t")
                inPolicy = line.hasPrefix("[[") && name == "policy"
                if inPolicy {
                    policyHeaders.append(number)
                    policyKeys.append([:])
                } else if otherKeys[name] == nil {
                    otherKeys[name] = number
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            var key = line[..<equals].trimmingCharacters(in: " \t")
            if key.count >= 2, let first = key.first, first == "\"" || first == "'", key.last == first {
                key = String(key.dropFirst().dropLast())
            }
            if inPolicy {
                if policyKeys[policyKeys.count - 1][key] == nil { policyKeys[policyKeys.count - 1][key] = number }
            } else if otherKeys[key] == nil {
                otherKeys[key] = number
            }
            let value = line[line.index(after: equals)...]
            for delimiter in ["\"\"\"", "'''"] where value.components(separatedBy: delimiter).count % 2 == 0 {
                openMultiline = delimiter
            }
        }
    }

    /// The line of `key` in the `index`th policy, else of that policy's header.
    func line(ofKey key: String, inPolicy index: Int) -> Int? {
        guard index < policyHeaders.count else { return nil }
        return policyKeys[index][key] ?? policyHeaders[index]
    }

    func header(ofPolicy index: Int) -> Int? {
        index < policyHeaders.count ? policyHeaders[index] : nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }
}
