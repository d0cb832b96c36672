import Foundation  // JSONSerialization is not in FoundationEssentials
import MailMessage
import Testing
import TestSupport

/// The acceptance test: every corpus message parses, keeps the structural invariants, and
/// agrees with Python's email package (`Fixtures/corpus-expectations.json`, written by
/// `Fixtures/generate_expectations.py`) field by field, except where
/// `Fixtures/corpus-overrides.json` records, with a reason, that Python is wrong (or that
/// reasonable readers differ). An override with `"status": "open"` records the right answer
/// where our parser is wrong too: it is reported as a known issue until fixed, and the test
/// fails once it passes so that the status is removed.
/// Mismatches are written to `Fixtures/corpus.actual` for review.
@Suite struct CorpusTests {
    struct Override {
        var expected: Any
        var why: String
        var isOpenBug: Bool
    }

    static func loadJSON(_ name: String) throws -> Any {
        let url = Corpus.fixtures("MailMessageTests").appendingPathComponent(name)
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    static func loadOverrides() throws -> [String: Override] {
        guard let list = try loadJSON("corpus-overrides.json") as? [[String: Any]] else { return [:] }
        var result: [String: Override] = [:]
        for entry in list {
            guard let file = entry["file"] as? String, let field = entry["field"] as? String,
                let why = entry["why"] as? String, !why.isEmpty, let expected = entry["expected"]
            else { continue }
            result[file + " " + field] = Override(
                expected: expected, why: why, isOpenBug: entry["status"] as? String == "open")
        }
        return result
    }

    /// The corpus messages in the order and with the keys of the Python script.
    static func corpusMessages(_ corpus: URL) throws -> [(key: String, raw: [UInt8])] {
        var messages: [(String, [UInt8])] = []
        for url in try Corpus.emlFiles(in: corpus) {
            messages.append(("rfc822/" + url.lastPathComponent, try Corpus.bytes(of: url)))
        }
        for url in try Corpus.mboxFiles(in: corpus) {
            let reader = MboxReader(data: try Corpus.bytes(of: url), unescaping: .none)
            for (index, entry) in reader.enumerated() {
                guard index < 200 else { break }  // MBOX_CAP in the script
                // Keep the separator line in front: the parser must skip it (RFC 4155).
                messages.append(("mbox/\(url.lastPathComponent)#\(index)", entry.separator + [0x0A] + entry.message))
            }
        }
        return messages
    }

    @Test func corpusMatchesPythonEmail() throws {
        guard let corpus = try Corpus.locate() else { return }
        guard let expectations = try Self.loadJSON("corpus-expectations.json") as? [String: [String: Any]] else {
            Issue.record("corpus-expectations.json is not an object of objects")
            return
        }
        let overrides = try Self.loadOverrides()
        var used: Set<String> = []
        var mismatches: [String] = []
        var openBugs: [String] = []
        var seen = 0
        for (key, raw) in try Self.corpusMessages(corpus) {
            guard let expected = expectations[key] else {
                mismatches.append("\(key): no expectation (rerun generate_expectations.py)")
                continue
            }
            seen += 1
            let message = Message(parsing: raw)
            let actual = CorpusFields.actual(message)
            for field in CorpusFields.names {
                guard var want = expected[field] else { continue }
                if let object = want as? [String: Any], object["error"] != nil { continue }  // Python raised
                let override = overrides[key + " " + field]
                if let override {
                    want = override.expected
                    used.insert(key + " " + field)
                }
                let wantText = CorpusFields.canonical(want)
                let haveText = CorpusFields.canonical(actual[field] ?? NSNull())
                if override?.isOpenBug == true {
                    if wantText == haveText {
                        mismatches.append("\(key) \(field): open bug now fixed, drop its \"status\"")
                    } else {
                        openBugs.append("\(key) \(field): \(override?.why ?? "")")
                    }
                } else if wantText != haveText {
                    mismatches.append("\(key) \(field)\n  python: \(wantText)\n  ours:   \(haveText)")
                }
            }
        }
        for stale in Set(overrides.keys).subtracting(used).sorted() {
            mismatches.append("\(stale): override matches no compared field")
        }
        #expect(seen == expectations.count, "messages compared vs. expectations")
        for bug in openBugs {
            withKnownIssue("corpus-overrides.json, status open") { Issue.record(Comment(rawValue: bug)) }
        }
        let report = Corpus.fixtures("MailMessageTests").appendingPathComponent("corpus.actual")
        if mismatches.isEmpty {
            try? FileManager.default.removeItem(at: report)
        } else {
            try mismatches.joined(separator: "\n").write(to: report, atomically: true, encoding: .utf8)
        }
        let mismatchCount = mismatches.count
        let first = String((mismatches.first ?? "").prefix(500))
        #expect(mismatchCount == 0, "mismatches, see \(report.path); first: \(first)")
    }

    @Test func corpusKeepsStructuralInvariants() throws {
        guard let corpus = try Corpus.locate() else { return }
        for (key, raw) in try Self.corpusMessages(corpus) {
            let message = Message(parsing: raw)
            let failures = StructureCheck.violations(message)
            #expect(failures.isEmpty, "\(key): \(failures.prefix(3))")
        }
    }
}
