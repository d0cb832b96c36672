import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ComplianceService {
    /// Records that `actor` did `action`: journaled into the archive as an audit event, then listed
    /// in the catalog's audit log with the event's location. For the commands whose work is not a
    /// service of the store (initialising, verifying, DKIM keys); the services audit themselves.
    public func record(_ action: String, detail: String, resultCount: Int? = nil, by actor: AuditActor)
        async throws(ComplianceError)
    {
        try await catching {
            try await journal([AuditEntry(time: clock.now(), actor: actor, action: action, detail: detail,
                                          resultCount: resultCount)])
        }
    }

    /// The audit log as the catalog lists it (oldest first): optionally from `since`, by one actor,
    /// the latest `limit` entries. Reading the log is itself audited.
    public func auditLog(since: Date? = nil, actor: String? = nil, limit: Int? = nil, by reader: AuditActor)
        async throws(ComplianceError) -> [AuditEntry]
    {
        try await catching {
            let entries = try await catalog.governance.auditLog(since: since, actor: actor, limit: limit)
            try await journal([AuditEntry(time: clock.now(), actor: reader, action: "audit",
                                          detail: "listed \(entries.count) entries", resultCount: entries.count)])
            return entries
        }
    }

    /// Journals audit entries into the archive as events (hash-chained, one group commit), then
    /// lists them in the catalog with their records' locations.
    func journal(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        let payloads = try entries.map { (kind: ArchiveEventKind.audit, payload: try Self.auditPayload($0)) }
        let locations = try await archive.append(events: payloads)
        try await catalog.governance.audit(Array(zip(entries, locations.map(Optional.some))))
    }

    /// Journals audit entries into the archive only, for entries the catalog lists in a transaction
    /// of their own (a delivery's routing transaction lists its Sieve redirects with the placements).
    func journalToArchive(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        _ = try await archive.append(events: try entries.map { (kind: .audit, payload: try Self.auditPayload($0)) })
    }

    /// Audit for when the archive must not be appended to (`verify` found it damaged, or a
    /// command that only reads must not grow it): the catalog's audit log only, marked as such.
    public static func auditCatalogOnly(dataDirectory: URL, action: String, detail: String, by actor: AuditActor,
                                        clock: WallClock = .system) async throws(ComplianceError) {
        do {
            let catalog = try Catalog(path: MailStore.catalogPath(in: dataDirectory))
            try await catalog.governance.audit([(AuditEntry(time: clock.now(), actor: actor, action: action,
                                                            detail: detail), nil)])
        } catch {
            throw .storage(StorageFailure(error))
        }
    }

    /// The audit event's bytes in the archive: JSON with sorted keys and ISO 8601 times.
    static func auditPayload(_ entry: AuditEntry) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(entry))
    }
}
