import MailStore
import MailMessage
import StoreModel
import Foundation

/// A rule that matched an outgoing message, and what it found (detector words, never the text).
public struct DLPHit: Sendable, Hashable {
    public var rule: String
    public var action: DLPAction
    public var found: [String]
}

/// The DLP rules loaded from one folder: every `*.toml` file directly in it, in name order.
public struct DLPRuleSet: Sendable {
    public var rules: [DLPRule]
    /// The files read, as named in problems.
    public var files: [String]

    public init(rules: [DLPRule], files: [String] = []) {
        self.rules = rules
        self.files = files
    }

    /// Loads every `*.toml` directly in `folder`; `displayPath` names the folder in problems. Every
    /// file is checked and all problems are thrown together; a missing folder is a problem (the
    /// folder is configured explicitly, so a typo must not switch DLP off).
    public static func load(folder: URL, displayPath: String? = nil) throws(DLPLoadError) -> DLPRuleSet {
        let shown = displayPath ?? folder.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DLPLoadError(problems: [DLPProblem(
                file: shown, line: nil, problem: "no such folder (DLP rules are read from *.toml files in it)")])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }
                .sorted()
        } catch {
            throw DLPLoadError(problems: [DLPProblem(file: shown, line: nil, problem: "cannot list: \(error)")])
        }
        var problems: [DLPProblem] = []
        var rules: [DLPRule] = []
        var files: [String] = []
        for name in names {
            let file = shown.hasSuffix("/") ? shown + name : shown + "/" + name
            files.append(file)
            let text: String
            do {
                text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            } catch {
                problems.append(DLPProblem(file: file, line: nil, problem: "cannot read as UTF-8: \(error)"))
                continue
            }
            do throws(DLPLoadError) {
                for rule in try DLPRuleFile.parse(text, file: file) {
                    if let other = rules.first(where: { $0.name == rule.name }) {
                        problems.append(DLPProblem(file: file, line: rule.line, problem:
                            "rule \"\(rule.name)\" is already defined at \(other.file):\(other.line)"))
                    } else {
                        rules.append(rule)
                    }
                }
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw DLPLoadError(problems: problems) }
        return DLPRuleSet(rules: rules, files: files)
    }

    /// The rules `outgoing` matches, in rule order. Detectors are checked first; a rule's query runs
    /// only when its detectors all found something, through `matcher` (blocking: call off the
    /// cooperative pool).
    public func hits(_ outgoing: OutgoingMessage, envelope: Envelope, matcher: SingleMessageMatcher?) throws -> [DLPHit] {
        var hits: [DLPHit] = []
        for rule in rules {
            guard rule.detectors.allSatisfy({ $0.finds(in: outgoing) }) else { continue }
            var found = rule.detectors.map(\.word)
            if let query = rule.query {
                // A rule whose condition cannot be asked is an error, never a silent non-match:
                // the caller defers the message rather than let it leave unchecked.
                guard let matcher else { throw DLPQueryUnavailable(rule: rule.name) }
                guard try matcher.matches(query, message: outgoing.message, envelope: envelope) else { continue }
                found.append("query")
            }
            hits.append(DLPHit(rule: rule.name, action: rule.action, found: found))
        }
        return hits
    }
}

extension [DLPHit] {
    /// The hit whose action decides the message's fate: the most severe (reject, then quarantine).
    public var deciding: DLPHit? {
        self.filter { $0.action.severity > 1 }.max { $0.action.severity < $1.action.severity }
    }
}

/// A rule has a `query` but no matcher was given to evaluate it.
public struct DLPQueryUnavailable: Error, CustomStringConvertible {
    public var rule: String
    public var description: String { "DLP rule \"\(rule)\" has a query, but no query matcher is available" }
}
