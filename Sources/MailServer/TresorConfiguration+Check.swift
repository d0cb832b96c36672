import Retention
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What `tresor config check` finds in one configuration file: the problems of the file itself
/// (every one, in file order), of the files it names (TLS, password, TSA CAs), and of the
/// retention policies in the folder it names.
public struct ConfigurationCheck: Sendable {
    /// As far as it could be read; meaningful when `fileProblems` is empty.
    public var configuration: TresorConfiguration
    /// The file's own problems and those of the files it names, `FILE:LINE: key: problem`.
    public var fileProblems: [ConfigurationError]
    /// The policy files' problems, `POLICYFILE:LINE: problem`.
    public var policyProblems: [PolicyProblem]
    /// The policies, when the folder could be read without a problem.
    public var policies: PolicySet?

    public var isValid: Bool { fileProblems.isEmpty && policyProblems.isEmpty }

    /// Every problem, one line each: the file's first, then the policies'.
    public var lines: [String] { fileProblems.map(\.description) + policyProblems.map(\.description) }
}

extension TresorConfiguration {
    /// Checks a configuration file as `tresor serve` would read it, reporting everything at once.
    public static func checkThoroughly(fileAt url: URL, displayName: String? = nil) -> ConfigurationCheck {
        let name = displayName ?? url.path
        let (configuration, found) = check(fileAt: url, displayName: name)
        var problems = found
        var result = ConfigurationCheck(configuration: configuration, fileProblems: problems, policyProblems: [])
        // A syntax error, or a file that cannot be read, leaves nothing more to check.
        guard !problems.contains(where: { $0.key.isEmpty }) else { return result }
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let lines = TOMLKeyLines(text: text)
        problems += configuration.namedFileProblems(file: name, lines: lines)
        result.fileProblems = problems.sorted { ($0.line ?? .max) < ($1.line ?? .max) }
        do {
            result.policies = try configuration.retention.loadPolicies()
        } catch {
            result.policyProblems = error.problems
        }
        do {
            _ = try configuration.dlp.loadRules()
        } catch {
            // DLP rule files report like policy files: FILE:LINE: problem.
            result.policyProblems += error.problems.map { PolicyProblem(file: $0.file, line: $0.line, problem: $0.problem) }
        }
        return result
    }

    /// The files this configuration names that the server reads at start: each must be readable
    /// (a TSA's CA file must also hold certificates).
    func namedFileProblems(file: String, lines: TOMLKeyLines) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        func requireReadable(_ url: URL?, _ key: String) {
            guard let url, access(url.path, R_OK) != 0 else { return }
            problems.append(ConfigurationError(file: file, line: lines.line(of: key), key: key,
                                               problem: "cannot read \(url.path): \(String(cString: strerror(errno)))"))
        }
        requireReadable(tls.certificate, "tls.certificate")
        requireReadable(tls.key, "tls.key")
        requireReadable(delivery.authPasswordFile, "delivery.auth_password_file")
        for authority in anchor.authorities {
            do {
                _ = try AnchorStamper.verifier(caFile: authority.caFile, key: authority.key + ".ca", file: file)
            } catch {
                var located = error
                located.line = lines.line(of: authority.key + ".ca")
                problems.append(located)
            }
        }
        return problems
    }
}
