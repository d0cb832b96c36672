import Foundation

/// One line of the audit log: who did what to the archive, and when. Not derived data.
public struct AuditEntry: Sendable, Codable, Hashable {
    public var time: Date
    /// The user or process, e.g. `legal@example.com` or `cli:root`.
    public var actor: String
    /// `search`, `show`, `import`, `export`, `reindex`, `verify`, `hold`, …
    public var action: String
    /// The query, the message id, the path…
    public var detail: String
    /// Number of results, where the action has them.
    public var resultCount: Int?

    public init(time: Date, actor: String, action: String, detail: String, resultCount: Int? = nil) {
        self.time = time
        self.actor = actor
        self.action = action
        self.detail = detail
        self.resultCount = resultCount
    }
}
