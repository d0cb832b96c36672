import Foundation

/// The policies loaded from one folder: every `*.toml` file directly in it (not in subfolders, so
/// `examples/` is never loaded), in file-name order.
public struct PolicySet: Sendable, Hashable {
    public var policies: [RetentionPolicy]
    /// The folder they came from; nil when there is none (no policies: everything is kept).
    public var folder: URL?
    /// The files read, in order.
    public var files: [String]

    public init(policies: [RetentionPolicy], folder: URL? = nil, files: [String] = []) {
        self.policies = policies
        self.folder = folder
        self.files = files
    }

    /// No policies: every message is kept.
    public static let empty = PolicySet(policies: [])

    public func policy(named name: String) -> RetentionPolicy? { policies.first { $0.name == name } }

    /// Loads every `*.toml` directly in `folder`. `displayPath` is how files are named in problems
    /// (the folder as the user gave it). Every file is checked; all problems are thrown together.
    /// A missing folder is a problem too: the caller decides whether a missing default folder is fine.
    public static func load(folder: URL, displayPath: String? = nil) throws(PolicyLoadError) -> PolicySet {
        let shown = displayPath ?? folder.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PolicyLoadError(problems: [PolicyProblem(
                file: shown, line: nil, problem: "no such folder (retention policies are read from *.toml files in it)")])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }
                .filter { name in
                    var directory: ObjCBool = false
                    let exists = FileManager.default.fileExists(
                        atPath: folder.appendingPathComponent(name).path, isDirectory: &directory)
                    return exists && !directory.boolValue
                }
                .sorted()
        } catch {
            throw PolicyLoadError(problems: [PolicyProblem(file: shown, line: nil, problem: "cannot list: \(error)")])
        }
        var problems: [PolicyProblem] = []
        var policies: [RetentionPolicy] = []
        var files: [String] = []
        for name in names {
            let file = shown.hasSuffix("/") ? shown + name : shown + "/" + name
            files.append(file)
            let text: String
            do {
                text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            } catch {
                problems.append(PolicyProblem(file: file, line: nil, problem: "cannot read as UTF-8: \(error)"))
                continue
            }
            do throws(PolicyLoadError) {
                let parsed = try PolicyFile.parse(text, file: file)
                for policy in parsed {
                    if let other = policies.first(where: { $0.name == policy.name }) {
                        problems.append(PolicyProblem(
                            file: file, line: policy.source.line,
                            problem: "policy \"\(policy.name)\" is already defined at \(other.source)"))
                    } else {
                        policies.append(policy)
                    }
                }
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw PolicyLoadError(problems: problems) }
        return PolicySet(policies: policies, folder: folder, files: files)
    }

    /// A digest of the policies' effective content (name, match, retain, count_from, action, locked,
    /// fallback), so a purge plan can tell whether the policies changed since it was made. FNV-1a (64 bits):
    /// it detects edits, it is no defence against someone forging policies (the audit log is).
    public var fingerprint: String {
        var text = ""
        for policy in policies.sorted(by: { $0.name < $1.name }) {
            text += [policy.name, policy.match, policy.retain.description, policy.countFrom.rawValue,
                     policy.action.rawValue, policy.locked ? "locked" : "unlocked"].joined(separator: "\u{1F}")
            // Only written when set, so that the fingerprints of policies without it stay as they were.
            if policy.fallback { text += "\u{1F}fallback" }
            text += "\u{1E}"
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
