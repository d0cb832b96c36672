#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which mail is private: the owner's, not the business's. Auditor scopes and case exports leave
/// it out unless a case names it explicitly. A message is private when any part of the rule
/// selects it: a placement in a folder of that name (or below it, "Privat/Familie") in any user's
/// mailboxes, a placement carrying that IMAP keyword (RFC 3501 §2.3.2, compared without regard to
/// case), or a match of the query. An empty rule marks nothing. Set by a signed governance record,
/// so every version of it stays in the chain.
public struct PrivateMailRule: Sendable, Hashable, Codable {
    public var folder: String?
    public var keyword: String?
    /// In the search language (`SearchQuery`).
    public var query: String?

    public init(folder: String? = nil, keyword: String? = nil, query: String? = nil) {
        self.folder = folder
        self.keyword = keyword
        self.query = query
    }

    public var isEmpty: Bool { folder == nil && keyword == nil && query == nil }

    public var description: String {
        if isEmpty { return "none" }
        var parts: [String] = []
        if let folder { parts.append("folder=\(folder)") }
        if let keyword { parts.append("keyword=\(keyword)") }
        if let query { parts.append("query=\(query)") }
        return parts.joined(separator: " ")
    }
}

/// The private-mail rule in force, with the record that set it.
public struct PrivateMailSetting: Sendable, Hashable {
    public var rule: PrivateMailRule
    public var setBy: String
    public var setAt: Date

    public init(rule: PrivateMailRule, setBy: String, setAt: Date) {
        self.rule = rule
        self.setBy = setBy
        self.setAt = setAt
    }
}
