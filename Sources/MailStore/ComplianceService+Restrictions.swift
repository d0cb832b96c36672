import Catalog
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A restriction of processing with the number of messages it covers now.
public struct CoveredRestriction: Sendable, Hashable {
    public var restriction: ProcessingRestriction
    public var messages: Int
}

/// Restrictions of processing (GDPR Art. 18): a named case whose query's messages leave their
/// owners' views — IMAP (SELECT, STATUS, FETCH, SEARCH), POP3 and `tresor search` without
/// `--include-restricted` — while retention, legal holds and purges go on as for any message.
///
/// Membership is live, like a hold's: the query is evaluated when the restriction is placed and
/// again for every message the catalog indexes later, so new mail of the same data subject is
/// restricted as it arrives. (A query with a date relative to "now" is evaluated at those moments
/// and not again.) The catalog keeps the result as a table of SHA-256s, so hiding costs an indexed
/// lookup per message, never a query per message. An IMAP session that has the mailbox selected
/// when a restriction is placed keeps its message numbers until it selects again; FETCH of a
/// restricted message then returns nothing.
extension ComplianceService {
    /// Places a restriction: `query` (which must parse) selects the messages it hides, now and
    /// whatever arrives later while it is active. A governance record signed by the operator, then
    /// the catalog; audited with the query, the reason and the messages covered now.
    public func placeRestriction(_ name: String, query: String, reason: String, by signer: GovernanceSigner)
        async throws(ComplianceError) -> CoveredRestriction
    {
        try await catching {
            let parsed = try Self.parse(query)
            guard LegalHold.isValidName(name) else { throw RestrictionError.invalidName(name) }
            if let existing = try await catalog.governance.restriction(named: name) {
                throw RestrictionError.exists(name, releasedAt: existing.releasedAt)
            }
            let (record, location) = try await journalGovernance(
                .restrictionPlaced(name: name, query: query, reason: reason), by: signer)
            let restriction = ProcessingRestriction(name: name, query: query, reason: reason, createdBy: signer.foldName,
                                                    createdAt: record.at)
            let covered = try await catalog.governance.addRestriction(restriction, query: parsed)
            try await audit("restrict add", "\(name): query=\(Self.quoted(query)); reason=\(Self.quoted(reason)); "
                                + "record \(location)", count: covered, by: signer.actor)
            return CoveredRestriction(restriction: restriction, messages: covered)
        }
    }

    /// Releases an active restriction: its messages are visible to their owners again (unless
    /// another active restriction covers them). Signed, journaled, cached, audited.
    public func releaseRestriction(_ name: String, reason: String, by signer: GovernanceSigner)
        async throws(ComplianceError) -> ProcessingRestriction
    {
        try await catching {
            guard let existing = try await catalog.governance.restriction(named: name) else {
                throw RestrictionError.unknown(name)
            }
            if let released = existing.releasedAt { throw RestrictionError.alreadyReleased(name, releasedAt: released) }
            let (record, location) = try await journalGovernance(.restrictionReleased(name: name, reason: reason),
                                                                 by: signer)
            let released = try await catalog.governance.releaseRestriction(named: name, by: signer.foldName,
                                                                           reason: reason, at: record.at)
            try await audit("restrict release", "\(name): reason=\(Self.quoted(reason)); record \(location)",
                            by: signer.actor)
            return released
        }
    }

    /// The restrictions (active ones, or all with `includeReleased`) with what each covers now. Audited.
    public func restrictions(includeReleased: Bool = false, by actor: AuditActor) async throws(ComplianceError)
        -> [CoveredRestriction]
    {
        try await catching {
            var result: [CoveredRestriction] = []
            for restriction in try await catalog.governance.restrictions() where includeReleased || restriction.isActive {
                let covered = try await catalog.governance.restrictedMessages(of: restriction.name).count
                result.append(CoveredRestriction(restriction: restriction, messages: covered))
            }
            try await audit("restrict list", includeReleased ? "all" : "active", count: result.count, by: actor)
            return result
        }
    }

    /// One restriction, active or released, with what it covers now; nil when there is none. Audited.
    public func restriction(named name: String, by actor: AuditActor) async throws(ComplianceError)
        -> CoveredRestriction?
    {
        try await catching {
            guard let restriction = try await catalog.governance.restriction(named: name) else { return nil }
            let covered = try await catalog.governance.restrictedMessages(of: name).count
            try await audit("restrict show", name, count: covered, by: actor)
            return CoveredRestriction(restriction: restriction, messages: covered)
        }
    }

    /// The SHA-256 of every message an active restriction covers: what owners do not see. This is
    /// the one question other readers ask — a scope that may include restricted mail (an auditor's,
    /// with its explicit flag) skips this filter, every other view removes these messages.
    public func restrictedMessages() async throws(ComplianceError) -> Set<String> {
        try await catching { try await catalog.governance.restrictedMessages() }
    }
}
