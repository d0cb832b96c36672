import ArchiveStore
import Catalog
import Logging
import StoreModel
#if canImport(Glibc)
import Glibc
#endif

extension StorageFailure {
    /// Classifies an error from the archive, the catalog or SQLite.
    init(_ error: any Error) {
        switch error {
        case let failure as StorageFailure:
            self = failure
        case ArchiveError.tooLarge(let size, let limit):
            self.init(kind: .tooLarge(size: size, limit: limit), description: "\(error)")
        case ArchiveError.io(_, _, let code) where code == ENOSPC || code == EDQUOT:
            self.init(kind: .diskFull, description: "\(error)")
        case ArchiveError.corrupted, ArchiveError.headAhead:
            self.init(kind: .damaged, description: "archive: \(error)")
        case _ where Catalog.isDiskFull(error):
            self.init(kind: .diskFull, description: "catalog: \(error)")
        case _ where Catalog.isDamaged(error):
            self.init(kind: .damaged, description: "catalog: \(error)")
        case is ArchiveError:
            self.init(kind: .unavailable, description: "archive: \(error)")
        default:
            self.init(kind: .unavailable, description: "\(error)")
        }
    }
}

/// A service's one error type: its own domain errors, and `storage` for what failed below.
protocol StoreFailure: Error {
    static func storage(_ failure: StorageFailure) -> Self
    /// The service's own case for an error of a lower layer that is the caller's fault rather than
    /// the storage's (a hold that does not exist, a plan already decided); nil for storage failures.
    static func translating(_ error: any Error) -> Self?
}

extension StoreFailure {
    static func translating(_ error: any Error) -> Self? { nil }
}

/// One of the protocol-neutral services `MailStore` offers (delivery, accounts, mailboxes, rules,
/// the message reader, compliance, the outbound queue). Each is a view on the same store; the
/// archive and the catalog stay internal to this module, so every rule a service keeps (auditing,
/// the kept-copy fallback, reading off the cooperative pool) has this one place to live.
protocol StoreService: Sendable {
    associatedtype Failure: StoreFailure
    var store: MailStore { get }
}

extension StoreService {
    var archive: ArchiveStore { store.archive }
    var catalog: Catalog { store.catalog }
    var logger: Logger { store.logger }
    var clock: WallClock { store.clock }

    /// Runs `body`, letting the service's own errors through and turning any other into `storage`.
    func catching<T>(_ body: () async throws -> T) async throws(Failure) -> T {
        do {
            return try await body()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.translating(error) ?? Failure.storage(StorageFailure(error))
        }
    }

    /// Audits what `actor` did through this service: an audit event in the archive, then a row in
    /// the catalog's audit log (`ComplianceService.journal`).
    func audit(_ action: String, _ detail: String, count: Int? = nil, by actor: AuditActor) async throws {
        try await store.compliance.journal([AuditEntry(time: clock.now(), actor: actor, action: action, detail: detail,
                                                       resultCount: count)])
    }

    /// `catching` for synchronous work.
    func catchingSync<T>(_ body: () throws -> T) throws(Failure) -> T {
        do {
            return try body()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.translating(error) ?? Failure.storage(StorageFailure(error))
        }
    }
}
