import ArchiveStore
import Catalog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

extension MailStore {
    /// The person behind a CLI command when no `--actor` is given: the OS user.
    public static var operatingSystemUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid-\(geteuid())"
    }

    /// Records an archive access: first journaled into the archive as an audit event (so the
    /// hash chain makes it tamper-evident), then listed in the catalog's audit log.
    public func audit(actor: String, action: String, detail: String, resultCount: Int? = nil) async throws {
        let entry = AuditEntry(time: Date(), actor: actor, action: action, detail: detail, resultCount: resultCount)
        _ = try await archive.append(event: .audit, payload: try Self.auditPayload(entry))
        try await catalog.governance.audit(entry)
    }

    /// Audit for when the archive must not be appended to (e.g. `verify` found it damaged):
    /// the catalog's audit log only.
    public static func auditCatalogOnly(dataDirectory: URL, actor: String, action: String, detail: String) async throws {
        let catalog = try Catalog(path: catalogPath(in: dataDirectory))
        try await catalog.governance.audit(AuditEntry(time: Date(), actor: actor, action: action, detail: detail, resultCount: nil))
    }

    /// The audit event's bytes in the archive: JSON with sorted keys and ISO 8601 times.
    static func auditPayload(_ entry: AuditEntry) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(entry))
    }
}
