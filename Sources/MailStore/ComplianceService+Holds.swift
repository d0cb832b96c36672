import Catalog
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A legal hold with the number of messages its query matches now.
public struct CoveredHold: Sendable, Hashable {
    public var hold: LegalHold
    public var messages: Int
}

extension ComplianceService {
    /// Places a hold: `query` (which must parse) selects what it keeps, now and whatever arrives
    /// later while it is active. A governance record signed by the operator, then the catalog;
    /// audited with the query, the reason and the messages covered now.
    public func placeHold(_ name: String, query: String, reason: String, by signer: GovernanceSigner)
        async throws(ComplianceError) -> CoveredHold
    {
        try await catching {
            let parsed = try Self.parse(query)
            guard LegalHold.isValidName(name) else { throw LegalHoldError.invalidName(name) }
            if let existing = try await catalog.governance.legalHold(named: name) {
                throw LegalHoldError.exists(name, releasedAt: existing.releasedAt)
            }
            let (record, location) = try await journalGovernance(.holdPlaced(name: name, query: query, reason: reason),
                                                                 by: signer)
            let hold = LegalHold(name: name, query: query, reason: reason, createdBy: signer.foldName, createdAt: record.at)
            try await catalog.governance.addLegalHold(hold)
            let covered = try await catalog.messages.retentionCount(matching: parsed)
            try await audit("hold add", "\(name): query=\(Self.quoted(query)); reason=\(Self.quoted(reason)); "
                                + "record \(location)", count: covered, by: signer.actor)
            return CoveredHold(hold: hold, messages: covered)
        }
    }

    /// Releases an active hold; its messages fall back under the retention policies. Signed,
    /// journaled, cached, audited.
    public func releaseHold(_ name: String, reason: String, by signer: GovernanceSigner) async throws(ComplianceError)
        -> LegalHold
    {
        try await catching {
            guard let existing = try await catalog.governance.legalHold(named: name) else { throw LegalHoldError.unknown(name) }
            if let released = existing.releasedAt { throw LegalHoldError.alreadyReleased(name, releasedAt: released) }
            let (record, location) = try await journalGovernance(.holdReleased(name: name, reason: reason), by: signer)
            let hold = try await catalog.governance.releaseLegalHold(named: name, by: signer.foldName, reason: reason,
                                                                      at: record.at)
            try await audit("hold release", "\(name): reason=\(Self.quoted(reason)); record \(location)", by: signer.actor)
            return hold
        }
    }

    /// The holds (active ones, or all with `includeReleased`) with what each covers now. Audited.
    public func holds(includeReleased: Bool = false, by actor: AuditActor) async throws(ComplianceError)
        -> [CoveredHold]
    {
        try await catching {
            var result: [CoveredHold] = []
            for hold in try await catalog.governance.legalHolds() where includeReleased || hold.isActive {
                result.append(CoveredHold(hold: hold, messages: try await covered(by: hold).count))
            }
            try await audit("hold list", includeReleased ? "all" : "active", count: result.count, by: actor)
            return result
        }
    }

    /// One hold, active or released, with what it covers now; nil when there is none. Audited.
    public func hold(named name: String, by actor: AuditActor) async throws(ComplianceError) -> CoveredHold? {
        try await catching {
            guard let hold = try await catalog.governance.legalHold(named: name) else { return nil }
            let result = CoveredHold(hold: hold, messages: try await covered(by: hold).count)
            try await audit("hold show", name, count: result.messages, by: actor)
            return result
        }
    }

    /// The ids of the messages each active hold covers now, by hold name (ids only: retention
    /// checks them before every purge). A hold whose query no longer parses fails the call, so
    /// nothing is purged until it is released (fail closed).
    public func heldMessages() async throws(ComplianceError) -> [String: Set<String>] {
        try await catching {
            var held: [String: Set<String>] = [:]
            for hold in try await catalog.governance.activeLegalHolds() {
                held[hold.name] = Set(try await covered(by: hold).map(\.sha256))
            }
            return held
        }
    }

    /// The messages a hold's query matches now (for an export of the case).
    func covered(by hold: LegalHold) async throws -> [RetentionCandidate] {
        let query: SearchQuery
        do { query = try SearchQuery(parsing: hold.query) } catch {
            throw ComplianceError.invalidHoldQuery(hold: hold.name, problem: error.description)
        }
        return try await catalog.messages.retentionCandidates(matching: query)
    }

    static func parse(_ query: String) throws(ComplianceError) -> SearchQuery {
        do { return try SearchQuery(parsing: query) } catch {
            throw .invalidQuery(column: error.column, message: error.message)
        }
    }
}
