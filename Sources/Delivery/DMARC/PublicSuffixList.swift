#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The organizational domain of RFC 7489 §3.2: the public suffix (by the Public Suffix List's
/// rules: plain, `*.` wildcards and `!` exceptions) plus one label.
///
/// Debian's `publicsuffix` package installs the list at /usr/share/publicsuffix; without it the
/// fallback is the last two labels, which is right for ".com"-style names and wrong for
/// "example.co.uk" (its organizational domain comes out as "co.uk", so relaxed alignment is
/// then too lenient between different registrants under a multi-label suffix).
public struct PublicSuffixList: Sendable {
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    private let rules: Set<String>
    private let wildcards: Set<String>
    private let exceptions: Set<String>

    public init(text: String) {
        var rules: Set<String> = [], wildcards: Set<String> = [], exceptions: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let rule = line.split(whereSeparator: \.isWhitespace).first, !rule.hasPrefix("//") else { continue }
            let lowered = rule.lowercased()
            if lowered.hasPrefix("!") {
                exceptions.insert(String(lowered.dropFirst()))
            } else if lowered.hasPrefix("*.") {
                wildcards.insert(String(lowered.dropFirst(2)))
            } else {
                rules.insert(lowered)
            }
        }
        self.rules = rules
        self.wildcards = wildcards
        self.exceptions = exceptions
    }

    /// The list at Debian's path, or an empty list (the two-label fallback) when it is absent.
    public static func system(path: String = debianPath) -> PublicSuffixList {
        guard let data = FileManager.default.contents(atPath: path) else { return PublicSuffixList(text: "") }
        return PublicSuffixList(text: String(decoding: data, as: UTF8.self))
    }

    /// The number of labels of the longest matching public suffix (the PSL algorithm: an
    /// exception rule wins and drops its leftmost label; an unlisted TLD is a suffix of one).
    func suffixLabelCount(_ labels: [String]) -> Int {
        var best = 1
        for count in 1...labels.count {
            let candidate = labels.suffix(count).joined(separator: ".")
            if exceptions.contains(candidate) { return count - 1 }
            if rules.contains(candidate) { best = max(best, count) }
            if count < labels.count, wildcards.contains(candidate) { best = max(best, count + 1) }
        }
        return best
    }

    /// RFC 7489 §3.2: the public suffix plus one label; the domain itself when it is a suffix.
    public func organizationalDomain(of domain: String) -> String {
        var name = domain.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        let labels = name.split(separator: ".").map(String.init)
        guard labels.count > 1 else { return name }
        let suffix = rules.isEmpty && wildcards.isEmpty ? 1 : suffixLabelCount(labels)
        return labels.suffix(min(labels.count, suffix + 1)).joined(separator: ".")
    }
}
