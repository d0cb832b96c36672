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
    /// Hex of the Ed25519 signature of the operator the actor names, over `signedBytes` (for
    /// entries of an operator who unlocked their key, e.g. content reads under `require_operator`).
    public var signature: String?

    public init(time: Date, actor: String, action: String, detail: String, resultCount: Int? = nil,
                client: String? = nil, signature: String? = nil) {
        self.time = time
        self.actor = actor
        self.action = action
        self.detail = detail
        self.resultCount = resultCount
        self.client = client
        self.signature = signature
    }

    /// The entry for `actor`, signed when the actor carries an operator's key.
    public init(time: Date, actor: AuditActor, action: String, detail: String, resultCount: Int? = nil) {
        self.init(time: time, actor: actor.description, action: action, detail: detail, resultCount: resultCount,
                  client: actor.clientAddress)
        if let key = actor.signingKey { signature = Hex.string(key.sign(signedBytes)) }
    }

    /// What the signature covers: the entry without its signature, as JSON with sorted keys and
    /// ISO 8601 times (the archive's audit event is the same JSON with the signature added).
    public var signedBytes: [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Array((try? encoder.encode(unsigned)) ?? Data())
    }

    /// The operator an operator actor's text names ("operator:alice (os root)" → "alice"); nil for
    /// other actors.
    public var operatorName: String? {
        guard actor.hasPrefix("operator:") else { return nil }
        let name = actor.dropFirst("operator:".count)
        return String(name.range(of: " (os ").map { name[..<$0.lowerBound] } ?? name)
    }
}
