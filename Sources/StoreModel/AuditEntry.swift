import Foundation

/// One line of the audit log: who did what to the archive, and when. Not derived data.
public struct AuditEntry: Sendable, Codable, Hashable {
    public var time: Date
    /// Who: an `AuditActor`'s text, e.g. `os:root`, `operator:alice`, `user:bob@example.com`.
    public var actor: String
    /// `search`, `show`, `import`, `export`, `reindex`, `verify`, `hold`, …
    public var action: String
    /// The query, the message id, the path…
    public var detail: String
    /// Number of results, where the action has them.
    public var resultCount: Int?
    /// The client's IP address, for actions over a protocol.
    public var client: String?

    public init(time: Date, actor: String, action: String, detail: String, resultCount: Int? = nil,
                client: String? = nil) {
        self.time = time
        self.actor = actor
        self.action = action
        self.detail = detail
        self.resultCount = resultCount
        self.client = client
    }

    public init(time: Date, actor: AuditActor, action: String, detail: String, resultCount: Int? = nil) {
        self.init(time: time, actor: actor.description, action: action, detail: detail, resultCount: resultCount,
                  client: actor.clientAddress)
    }
}
