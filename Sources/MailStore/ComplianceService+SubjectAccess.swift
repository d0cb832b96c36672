import Catalog
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a subject-access export (GDPR Art. 15) gathers for one address.
public struct SubjectAccessSelection: Sendable {
    /// The address as the index folds it.
    public var address: String
    /// Every archived message in which the address takes part, newest first.
    public var hits: [SearchHit]
    /// The roles the address has in each message (by SHA-256): "from", "sender", "reply-to", "to",
    /// "cc", "bcc" (header Bcc, and envelope recipients not named in To or Cc), "envelope-from",
    /// "envelope-to".
    public var roles: [String: Set<String>]
    /// Those of the messages a restriction of processing hides from their owners: access covers
    /// them too (Art. 15 gives the data subject their data, restricted or not).
    public var restricted: Set<String>
}

extension ComplianceService {
    /// Every message in which `address` takes part — From, Sender, Reply-To, To, Cc, Bcc, the
    /// envelope sender and the envelope recipients — across every user's mailboxes and the
    /// archive (every placed message is archived; drafts, which never are, are not part of it).
    /// Restricted messages are included. Audited as the start of a subject-access export.
    public func exportSelection(forSubject address: String, by actor: AuditActor) async throws(ComplianceError)
        -> SubjectAccessSelection
    {
        try await catching {
            try await admitContentRead("export subject=\(Self.quoted(address))", by: actor)
            let trimmed = address.trimmingCharacters(in: .whitespaces)
            guard trimmed.contains("@"), !trimmed.contains(where: { $0.isWhitespace || $0 == "\"" }) else {
                throw ComplianceError.invalidQuery(column: 1, message: "\"\(address)\" is not an address like jane@example.com")
            }
            let query = try Self.parse("participant:\(trimmed)")
            let hits = try await catalog.messages.search(query, limit: nil, offset: 0)
            let stored = try await catalog.messages.addressRoles(of: trimmed)
            var roles: [String: Set<String>] = [:]
            for hit in hits { roles[hit.id] = Set((stored[hit.id] ?? []).map(Self.subjectRole)) }
            let restricted = try await catalog.governance.restrictedMessages().intersection(hits.map(\.id))
            try await audit("export start", "subject-access=\(Self.quoted(trimmed)) restricted=\(restricted.count) "
                                + Self.searchDetail(query, limit: nil, offset: 0, total: hits.count, hits: hits),
                            count: hits.count, by: actor)
            return SubjectAccessSelection(address: TextFolding.key(trimmed), hits: hits, roles: roles,
                                          restricted: restricted)
        }
    }

    /// A stored address role as a subject-access summary names it.
    static func subjectRole(_ stored: String) -> String {
        switch stored {
        case "env-from": "envelope-from"
        case "env-to": "envelope-to"
        default: stored
        }
    }
}
