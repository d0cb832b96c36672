/// What an auditor (or a compliance operator) may read over IMAP: the cases — legal holds by name —
/// and a query in the query language. Each is a grant: the scope is every message of a named case
/// together with every message the query matches; an empty scope shows nothing.
public struct AuditorScopeDefinition: Sendable, Hashable, Codable {
    /// Legal holds by name, sorted, each once.
    public var cases: [String]
    public var query: String?
    /// Whether the scope reaches messages a restriction of processing (GDPR Art. 18) hides from
    /// their owners; off unless set explicitly.
    public var includeRestricted: Bool

    public init(cases: [String], query: String?, includeRestricted: Bool = false) {
        self.cases = Array(Set(cases)).sorted()
        self.query = query.flatMap { $0.isEmpty ? nil : $0 }
        self.includeRestricted = includeRestricted
    }

    public var isEmpty: Bool { cases.isEmpty && query == nil }

    /// "cases A, B; query Q; restricted mail included", or "nothing".
    public var summary: String {
        var parts: [String] = []
        if !cases.isEmpty { parts.append("cases \(cases.joined(separator: ", "))") }
        if let query { parts.append("query \(query)") }
        if parts.isEmpty { return "nothing" }
        if includeRestricted { parts.append("restricted mail included") }
        return parts.joined(separator: "; ")
    }

    private enum CodingKeys: String, CodingKey { case cases, query, includeRestricted }

    /// Scopes recorded before `includeRestricted` existed lack it: off.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cases = try container.decode([String].self, forKey: .cases)
        query = try container.decodeIfPresent(String.self, forKey: .query)
        includeRestricted = try container.decodeIfPresent(Bool.self, forKey: .includeRestricted) ?? false
    }
}

/// An operator's IMAP access as the governance records set it: the password's hash (a PHC string,
/// scrypt), the scope, and the saved searches by name. The newest record of each kind counts.
public struct OperatorAccess: Sendable, Hashable, Codable {
    public var passwordHash: String?
    public var scope: AuditorScopeDefinition?
    /// Saved searches: name → query.
    public var searches: [String: String]

    public init(passwordHash: String? = nil, scope: AuditorScopeDefinition? = nil, searches: [String: String] = [:]) {
        self.passwordHash = passwordHash
        self.scope = scope
        self.searches = searches
    }

    /// Whether `name` may name a saved search (it becomes the folder `Searches/NAME`): 1–64 of
    /// letters, digits, space, ".", "_" and "-".
    public static func isValidSearchName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || " ._-".contains($0)) }
            && name.first != " " && name.last != " "
    }
}
