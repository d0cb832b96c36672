/// How a test compares its values with its keys (RFC 5228 §2.7.1, relational RFC 5231 §4,
/// regex draft-ietf-sieve-regex-01 §3).
public enum SieveMatchType: Sendable, Hashable {
    case `is`, contains, matches, regex
    /// `:value "op"`: the value compared with the key by the comparator's ordering.
    case value(SieveRelation)
    /// `:count "op"`: the number of values compared with the key (RFC 5231 §4.2).
    case count(SieveRelation)
}

/// A match type, a comparator and the (already expanded) keys of one test, ready to be tried
/// on the test's values. Built once per evaluation: regular expressions are compiled here.
struct SieveMatcher {
    let matchType: SieveMatchType
    let comparator: SieveComparator
    let keys: [String]
    private let patterns: [SieveWildcardPattern]
    private let regexes: [SieveRegex]

    /// Fails when the comparator cannot do the match type (RFC 5228 §2.7.3: i;ascii-numeric has
    /// no substring operation) or a `:regex` key does not compile (draft §3: a run-time error
    /// when the key came from a variable).
    init(matchType: SieveMatchType, comparator: SieveComparator, keys: [String]) throws(SieveMatchError) {
        self.matchType = matchType
        self.comparator = comparator
        self.keys = keys
        switch matchType {
        case .contains, .matches, .regex:
            guard comparator.supportsSubstring else {
                throw SieveMatchError("comparator \(comparator.rawValue) does not support this match type")
            }
        case .is, .value, .count: break
        }
        patterns = matchType == .matches ? keys.map(SieveWildcardPattern.init) : []
        var regexes: [SieveRegex] = []
        if matchType == .regex {
            for key in keys {
                guard let regex = SieveRegex(key, comparator: comparator) else {
                    throw SieveMatchError("invalid regular expression \"\(key)\"")
                }
                regexes.append(regex)
            }
        }
        self.regexes = regexes
    }

    /// What a successful match found: for `:matches` and `:regex`, the new match variables
    /// (`${0}` first, RFC 5229 §3.2); nil for the other match types, which leave them alone.
    struct Success {
        var matchVariables: [String]?
    }

    /// Tries every value against every key, in order, and stops at the first pair that matches
    /// (RFC 5228 §2.7: a test is true if any value matches any key). Not for `:count`, which
    /// `matchCount` handles. No values or no keys: false.
    func firstMatch(in values: [String]) -> Success? {
        for value in values {
            if let success = match(value) { return success }
        }
        return nil
    }

    /// Whether one value matches any key.
    func match(_ value: String) -> Success? {
        switch matchType {
        case .is:
            return keys.contains { comparator.equals(value, $0) } ? Success() : nil
        case .contains:
            return keys.contains { comparator.contains(value, $0) } ? Success() : nil
        case .value(let relation):
            return keys.contains { relation.holds(comparator.compare(value, $0)) } ? Success() : nil
        case .count:
            return nil
        case .matches:
            for pattern in patterns {
                if let captures = pattern.match(value, comparator: comparator) {
                    return Success(matchVariables: [value] + captures)
                }
            }
            return nil
        case .regex:
            for regex in regexes {
                if let groups = regex.match(value) { return Success(matchVariables: groups) }
            }
            return nil
        }
    }

    /// `:count` (RFC 5231 §4.2): the number of values, as a decimal string, compared with each key.
    func matchCount(_ count: Int) -> Bool {
        guard case .count(let relation) = matchType else { return false }
        let text = String(count)
        return keys.contains { relation.holds(comparator.compare(text, $0)) }
    }

    var isCount: Bool {
        if case .count = matchType { return true }
        return false
    }
}

/// Why a matcher could not be built; the interpreter adds the location.
struct SieveMatchError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
