import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a compliance request can fail with besides storage.
public enum ComplianceError: Error, Sendable, Hashable, CustomStringConvertible {
    case storage(StorageFailure)
    /// The query does not parse (`column` is 1-based).
    case invalidQuery(column: Int, message: String)
    /// No message with that id, or the id is malformed or matches several.
    case unknownMessage(String)
    /// The catalog lists a message whose record the archive no longer has (run `tresor verify`).
    case missingFromArchive(String)
    /// A stored hold's query no longer parses: nothing may be purged until it is released.
    case invalidHoldQuery(hold: String, problem: String)
    case legalHold(LegalHoldError)
    case restriction(RestrictionError)
    /// A private-mail rule's folder or keyword is not one IMAP could name.
    case invalidPrivateRule(String)
    case purgePlan(PurgePlanError)
    case purge(PurgeError)
    case protection(ProtectionError)
    case governance(GovernanceError)
    case operatorKey(OperatorKeyError)
    /// The data directory requires an operator's key for content reads, and none (or a key that is
    /// not an active operator's) was given.
    case operatorRequired(String)

    public var description: String {
        switch self {
        case .storage(let failure): failure.description
        case .invalidQuery(let column, let message): "query, column \(column): \(message)"
        case .unknownMessage(let reason): reason
        case .missingFromArchive(let id):
            "message \(id) is in the catalog but not in the archive: run `tresor verify`"
        case .invalidHoldQuery(let hold, let problem): "hold \"\(hold)\" has a query that no longer parses: \(problem)"
        case .legalHold(let error): error.description
        case .restriction(let error): error.description
        case .invalidPrivateRule(let problem): "private-mail rule: \(problem)"
        case .purgePlan(let error): error.description
        case .purge(let error): error.description
        case .protection(let error): error.description
        case .governance(let error): error.description
        case .operatorKey(let error): error.description
        case .operatorRequired(let reason): reason
        }
    }
}

extension ComplianceError: StoreFailure {
    static func translating(_ error: any Error) -> ComplianceError? {
        switch error {
        case let error as LegalHoldError: .legalHold(error)
        case let error as RestrictionError: .restriction(error)
        case let error as PurgePlanError: .purgePlan(error)
        case let error as PurgeError: .purge(error)
        case let error as ProtectionError: .protection(error)
        case let error as GovernanceError: .governance(error)
        case let error as OperatorKeyError: .operatorKey(error)
        case let error as CatalogError:
            switch error {
            case .invalidMessageID, .ambiguousMessageID: .unknownMessage(error.description)
            case .fullTextSearchUnavailable, .locationOutOfRange, .missing: nil
            }
        default: nil
        }
    }
}

/// What compliance officers, auditors and administrators do with the record: legal search and
/// show, legal holds, retention (candidates, plans, purges), exports, and the audit trail. Every
/// request that reads content or changes governance is audited here, inside the service, so no
/// caller can forget it: the audit event is journaled in the archive first (the hash chain makes
/// it tamper-evident), then listed in the catalog.
public struct ComplianceService: StoreService {
    typealias Failure = ComplianceError
    let store: MailStore
}
