import Catalog
import Crypto
import QueryLanguage
import StoreModel

/// One archived message as `show` returns it: its catalog entry (every delivery's envelope) and
/// its bytes, from the archive or, after an `.archiveOnly` purge, from a user's kept copy.
public struct ArchivedMessage: Sendable {
    public var entry: CatalogMessage
    public var raw: [UInt8]
}

/// One page of a legal search: the hits shown and how many match in all.
public struct SearchPage: Sendable {
    public var hits: [SearchHit]
    /// Every message the query matches, not only this page's.
    public var total: Int
    public var limit: Int?
    public var offset: Int

    /// Whether messages matched that this page does not show.
    public var isPartial: Bool { hits.count < total }
}

extension ComplianceService {
    /// Legal search (DESIGN.md "Search"): the messages matching `query`, newest first, at most
    /// `limit` after skipping `offset`. Audited with the query, the limit and offset, the number
    /// of hits in all, and the SHA-256 of the ordered result ids, so that a later reader of the
    /// trail knows exactly which messages the searcher saw. Messages a restriction of processing
    /// covers (GDPR Art. 18) are left out unless `includeRestricted`, which the trail records as
    /// its own action ("search restricted").
    public func search(_ query: SearchQuery, limit: Int? = nil, offset: Int = 0, includeRestricted: Bool = false,
                       by actor: AuditActor) async throws(ComplianceError) -> [SearchHit]
    {
        try await searchPage(query, limit: limit, offset: offset, includeRestricted: includeRestricted, by: actor).hits
    }

    /// `search`, with the number of messages that match in all, so a reader can be told how many
    /// the page leaves out. Audited the same way.
    public func searchPage(_ query: SearchQuery, limit: Int? = nil, offset: Int = 0, includeRestricted: Bool = false,
                           by actor: AuditActor) async throws(ComplianceError) -> SearchPage
    {
        try await catching {
            let hiding = !includeRestricted
            let hits = try await catalog.messages.search(query, limit: limit, offset: offset, hidingRestricted: hiding)
            let total = limit == nil && offset == 0
                ? hits.count : try await catalog.messages.count(query, hidingRestricted: hiding)
            try await audit(includeRestricted ? "search restricted" : "search",
                            Self.searchDetail(query, limit: limit, offset: offset, total: total, hits: hits),
                            count: hits.count, by: actor)
            return SearchPage(hits: hits, total: total, limit: limit, offset: offset)
        }
    }

    /// Whether the full-text index holds every message's document in the current format; false
    /// while `DeliveryPipeline.bringFullTextUpToDate` has a rebuild to do (words in messages it has
    /// not reached yet are not found).
    public func fullTextIsCurrent() async throws(ComplianceError) -> Bool {
        try await catching { try await catalog.messages.fullTextIsCurrent() }
    }

    /// The attachments of a message as the background indexer recorded them, each with its state;
    /// nil while the indexer has not read them yet.
    public func attachmentRecords(id: String) async throws(ComplianceError) -> [AttachmentRecord]? {
        try await catching {
            guard try await catalog.messages.attachmentsRead(sha256: id) else { return nil }
            return try await catalog.messages.attachmentRecords(sha256: id)
        }
    }

    /// How many messages match; audited like a search that shows no message.
    public func count(_ query: SearchQuery, includeRestricted: Bool = false, by actor: AuditActor)
        async throws(ComplianceError) -> Int
    {
        try await catching {
            let total = try await catalog.messages.count(query, hidingRestricted: !includeRestricted)
            try await audit(includeRestricted ? "search restricted" : "search", "query=\(Self.quoted(query.text)) count-only total=\(total)", count: total,
                            by: actor)
            return total
        }
    }

    /// One message by its id (8 to 64 hex digits of its SHA-256) with its bytes. Audited with
    /// `purpose` ("raw", "text", "summary", …).
    public func show(id: String, purpose: String, by actor: AuditActor) async throws(ComplianceError)
        -> ArchivedMessage
    {
        try await catching {
            guard let entry = try await catalog.messages.message(id: id) else {
                throw ComplianceError.unknownMessage("no archived message with id \(id)")
            }
            if purpose != "summary" { try await admitContentRead("show \(entry.id) \(purpose)", by: actor) }
            guard let raw = try await store.reader.content(sha256: entry.id) else {
                throw ComplianceError.missingFromArchive(entry.id)
            }
            try await audit("show", "\(entry.id) \(purpose)", by: actor)
            return ArchivedMessage(entry: entry, raw: raw)
        }
    }

    /// "query=… limit=… offset=… total=… results=<sha256 of the ids, one per line>".
    static func searchDetail(_ query: SearchQuery, limit: Int?, offset: Int, total: Int, hits: [SearchHit]) -> String {
        let ids = hits.map(\.id).joined(separator: "\n")
        let digest = Hex.string(SHA256.hash(data: Array(ids.utf8)))
        return "query=\(quoted(query.text)) limit=\(limit.map(String.init) ?? "none") offset=\(offset) "
            + "total=\(total) results=\(digest)"
    }

    /// A value as a JSON-style quoted string, so the audit detail stays one unambiguous line.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
