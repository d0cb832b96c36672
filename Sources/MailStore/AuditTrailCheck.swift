import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `tresor audit --verify` found: the trail as the archive journals it (hash-chained, so
/// what `verify` passes is what was written) against the catalog's readable copy.
public struct AuditTrailReport: Sendable {
    /// Audit events in the archive.
    public var journaled = 0
    /// Rows in the catalog's audit log.
    public var listed = 0
    /// Archive events whose catalog row is missing: someone deleted it.
    public var removed: [(record: RecordLocation, entry: AuditEntry)] = []
    /// Catalog rows that differ from the event they name: someone edited them.
    public var altered: [(row: Int64, record: RecordLocation, listed: AuditEntry, journaled: AuditEntry)] = []
    /// Catalog rows naming a record that is no audit event in the archive: made up.
    public var unbacked: [(row: Int64, entry: AuditEntry)] = []
    /// Catalog rows with no record by design (entries written while the archive could not be
    /// appended to, such as `verify` of a damaged archive in older versions).
    public var catalogOnly = 0
    /// Journaled entries that carry an operator's signature.
    public var signed = 0
    /// Journaled entries whose signature is not their operator's over the entry: forged or altered.
    public var badSignatures: [(record: RecordLocation, entry: AuditEntry)] = []

    public var isValid: Bool { removed.isEmpty && altered.isEmpty && unbacked.isEmpty && badSignatures.isEmpty }
}

extension ComplianceService {
    /// Reads every audit event from the archive and compares it with the catalog's audit log, row
    /// by row (by the record each row names). Audited itself, after the comparison.
    public func verifyAuditTrail(by actor: AuditActor) async throws(ComplianceError) -> AuditTrailReport {
        try await catching {
            let archive = self.archive
            let journaled: [RecordLocation: AuditEntry] = try await BlockingWork.io.run {
                var events: [RecordLocation: AuditEntry] = [:]
                try archive.forEachRecord { record in
                    guard record.kind == .event, record.eventKind == .audit, let payload = record.eventPayload,
                        let entry = Self.decodeAuditPayload(payload)
                    else { return }
                    events[record.location] = entry
                }
                return events
            }
            let rows = try await catalog.governance.auditRows()
            var report = Self.compare(journaled: journaled, rows: rows)
            let keys = Dictionary(try await catalog.governance.operators().map { ($0.record.name, $0.record.publicKey) },
                                  uniquingKeysWith: { first, _ in first })
            Self.checkSignatures(journaled, operatorKeys: keys, into: &report)
            try await audit("audit verify", "journaled=\(report.journaled) listed=\(report.listed) "
                                + "removed=\(report.removed.count) altered=\(report.altered.count) "
                                + "unbacked=\(report.unbacked.count) signed=\(report.signed) "
                                + "bad-signatures=\(report.badSignatures.count)", by: actor)
            return report
        }
    }

    static func compare(journaled: [RecordLocation: AuditEntry], rows: [AuditLogRow]) -> AuditTrailReport {
        var report = AuditTrailReport()
        report.journaled = journaled.count
        report.listed = rows.count
        var seen: Set<RecordLocation> = []
        var unrecorded: [AuditLogRow] = []
        for row in rows {
            guard let record = row.record else {
                unrecorded.append(row)
                continue
            }
            guard let event = journaled[record] else {
                report.unbacked.append((row.id, row.entry))
                continue
            }
            seen.insert(record)
            if !sameEntry(row.entry, event) { report.altered.append((row.id, record, row.entry, event)) }
        }
        // Entries journaled to the archive whose catalog row went in another transaction without
        // its record (Sieve redirects listed with a delivery's placements) match by content.
        var unmatched = unrecorded
        for (location, event) in journaled.sorted(by: { $0.key < $1.key }) where !seen.contains(location) {
            if let index = unmatched.firstIndex(where: { sameEntry($0.entry, event) }) {
                unmatched.remove(at: index)
            } else {
                report.removed.append((location, event))
            }
        }
        report.catalogOnly = unmatched.count
        return report
    }

    /// Equal as far as both copies record: the archive's times are whole seconds.
    /// Counts the journaled entries an operator signed and lists those whose signature is not the
    /// named operator's over the entry (`operatorKeys`: name → public key hex, revoked ones included,
    /// since a signature made while active stays valid).
    static func checkSignatures(_ journaled: [RecordLocation: AuditEntry], operatorKeys keys: [String: String],
                                into report: inout AuditTrailReport) {
        for (location, entry) in journaled.sorted(by: { $0.key < $1.key }) {
            guard let signature = entry.signature else { continue }
            report.signed += 1
            guard let name = entry.operatorName, let key = keys[name],
                AuditSigningKey.isValid(signature: signature, of: entry.signedBytes, publicKey: key)
            else {
                report.badSignatures.append((location, entry))
                continue
            }
        }
    }

    static func sameEntry(_ a: AuditEntry, _ b: AuditEntry) -> Bool {
        a.actor == b.actor && a.action == b.action && a.detail == b.detail && a.resultCount == b.resultCount
            && a.client == b.client && a.signature == b.signature && abs(a.time.timeIntervalSince(b.time)) < 1
    }

    static func decodeAuditPayload(_ payload: [UInt8]) -> AuditEntry? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(AuditEntry.self, from: Data(payload))
    }
}
