import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Something `verify` found wrong, with where.
public struct IntegrityFinding: Sendable, Hashable, CustomStringConvertible {
    /// `archive`, `catalog`, `placement`, …
    public var area: String
    public var detail: String

    public init(area: String, detail: String) {
        self.area = area
        self.detail = detail
    }

    public var description: String { "\(area): \(detail)" }
}

/// What `tresor verify` found: the archive's own check, and every difference between the archive
/// and what the catalog says it holds.
public struct IntegrityReport: Sendable {
    public var archive: VerificationReport
    public var findings: [IntegrityFinding] = []
    /// Placements checked, and deliveries the catalog lists.
    public var placements = 0
    public var deliveries = 0
    /// The newest envelope records (after the catalog's recovery checkpoint and after every indexed
    /// one) that are not indexed yet: what a crash between the archive's fsync and the catalog's
    /// commit leaves, and the next start of `tresor serve` indexes and places. Not a finding; an
    /// unindexed record before an indexed one is.
    public var awaitingRecovery = 0
    /// Audit events after the recovery checkpoint not listed in the catalog yet (the next start of
    /// `tresor serve` lists them).
    public var auditAwaitingRecovery = 0
    /// Governance records after the recovery checkpoint the catalog does not cache yet.
    public var governanceAwaitingRecovery = 0
    /// Time stamps, their copies and witnesses (`AnchorCheck`); its findings are in `findings` too.
    public var anchors = AnchorReport()
    /// The derived index (message, delivery, address, full-text and attachment rows) compared with
    /// what the archive yields; its findings are in `findings` too, under "derived index".
    public var derived = DerivedIndexReport()

    public var isValid: Bool { archive.isValid && findings.isEmpty }
}

extension MailStore {
    /// `tresor verify`: the archive from its files alone (`verifyArchive`), then the catalog against
    /// it — every delivery the catalog lists has its envelope record, every envelope record is
    /// indexed or purged, and every message in a folder has an archive record, except drafts in the
    /// drafts folder and the kept copies an `.archiveOnly` purge left; then the anchors (`AnchorCheck`).
    /// Opens nothing for writing.
    ///
    /// The catalog is opened as `Catalog.withReadOnlyView` does for `status`: with no server
    /// (`serverRunning` false) it is read immutable, or from a copy outside the data directory, so
    /// no `-wal`/`-shm` file appears; when one may run, a read-only connection joins its files.
    public static func verify(dataDirectory: URL, publicKey: String? = nil, anchoring: AnchorVerification? = nil,
                              serverRunning: Bool = true) async -> IntegrityReport
    {
        var anchors = AnchorCheck(dataDirectory: dataDirectory, input: anchoring)
        var envelopes: [RecordLocation: String] = [:]
        var envelopeRecords: [RecordLocation: (sha256: String, envelope: Envelope)] = [:]
        var purged: Set<RecordLocation> = []
        // Folded once the archive has been verified: "system" records must be signed with a key of
        // the chain of seal keys the verification derived from the archive's own records.
        var governanceRecords: [(GovernanceRecord, RecordLocation)] = []
        var floorCounts: [RecordLocation: Int] = [:]
        var auditEvents: [RecordLocation: AuditEntry] = [:]
        let archive = verifyArchive(dataDirectory: dataDirectory, publicKey: publicKey) { record in
            anchors.visit(record)
            switch record.kind {
            case .envelope:
                if let sha256 = record.sha256 { envelopes[record.location] = sha256 }
                if let sha256 = record.sha256, let envelope = record.envelope {
                    envelopeRecords[record.location] = (sha256.lowercased(), envelope)
                }
                if let floors = record.envelope?.retentionFloors, !floors.isEmpty { floorCounts[record.location] = floors.count }
            case .event:
                purged.formUnion(ComplianceService.purgedLocations(in: record))
                if let signed = ComplianceService.governanceRecord(in: record) { governanceRecords.append((signed, record.location)) }
                if record.eventKind == .audit, let payload = record.eventPayload,
                    let entry = ComplianceService.decodeAuditPayload(payload)
                {
                    auditEvents[record.location] = entry
                }
            case .body, .seal, .purged:
                break
            }
        }
        var report = IntegrityReport(archive: archive)
        guard archive.isValid else { return report }
        var governance = GovernanceState(systemKeys: Set((archive.sealKeys?.keys ?? []).map { $0.hex.lowercased() }))
        for (record, location) in governanceRecords { governance.apply(record, at: location) }
        // Bodies a purge took a delivery of: the catalog keeps what that delivery added.
        let partiallyPurged = Set(archive.purges.flatMap(\.record.removed)
            .filter { $0.kind == ArchiveRecordKind.envelope.rawValue }.map { $0.sha256.lowercased() })
        let checked = envelopeRecords.filter { !purged.contains($0.key) }
        do {
            report = try await Catalog.withReadOnlyView(path: catalogPath(in: dataDirectory), inUse: serverRunning) {
                [report, envelopes, purged, floorCounts, governance, governanceRecords, auditEvents] catalog in
                var report = report
                let deliveries = try await catalog.messages.deliveryLocations()
                report.deliveries = deliveries.count
                var indexed: Set<RecordLocation> = []
                for delivery in deliveries {
                    indexed.insert(delivery.envelope)
                    if envelopes[delivery.envelope] != delivery.sha256 {
                        report.findings.append(IntegrityFinding(
                            area: "catalog", detail: "lists delivery \(delivery.envelope) of message \(delivery.sha256), "
                                + "which the archive does not hold"))
                    }
                }
                // A crash leaves unindexed only the newest records: after the recovery checkpoint and
                // after every indexed one. Anything earlier is a hole in the catalog.
                let checkpoint = try await catalog.messages.recoveryCheckpoint()
                let lastIndexed = indexed.max()
                for (location, sha256) in envelopes.sorted(by: { $0.key < $1.key })
                where !indexed.contains(location) && !purged.contains(location) {
                    if checkpoint.map({ location > $0 }) ?? true, lastIndexed.map({ location > $0 }) ?? true {
                        report.awaitingRecovery += 1
                        continue
                    }
                    report.findings.append(IntegrityFinding(
                        area: "catalog", detail: "archive record \(location) (message \(sha256)) is not indexed: "
                            + "the catalog misses it (run `tresor serve` to recover, or `tresor reindex`)"))
                }
                let cachedFloors = try await catalog.messages.floorCounts()
                for (location, count) in floorCounts.sorted(by: { $0.key < $1.key })
                where indexed.contains(location) && cachedFloors[location, default: 0] != count {
                    report.findings.append(IntegrityFinding(
                        area: "catalog", detail: "archive record \(location) carries \(count) retention floor(s), the catalog "
                            + "lists \(cachedFloors[location, default: 0]) (run `tresor reindex`; purges obey the archive's)"))
                }
                // A purge journaled but not finished takes its messages out of the full-text index before
                // its catalog transaction (it reads their text back from the archive first); those
                // messages are leaving, not missing.
                var everyEnvelopePurged: [String: Bool] = [:]
                for (location, sha256) in envelopes {
                    everyEnvelopePurged[sha256] = everyEnvelopePurged[sha256, default: true] && purged.contains(location)
                }
                report.findings += fullTextFindings(try await catalog.messages.fullTextCoverage(),
                                                    leaving: Set(everyEnvelopePurged.filter(\.value).keys))
                let governanceCheck = try await governanceFindings(governance, records: governanceRecords,
                                                                   after: [checkpoint, auditEvents.keys.max()].compactMap { $0 }.max(),
                                                                   catalog: catalog)
                report.findings += governanceCheck.findings
                report.governanceAwaitingRecovery = governanceCheck.awaitingRecovery
                let audit = auditFindings(auditEvents, rows: try await catalog.governance.auditRows(),
                                          operatorKeys: governance.operators.mapValues(\.record.publicKey),
                                          recoveryCheckpoint: checkpoint)
                report.findings += audit.findings
                report.auditAwaitingRecovery = audit.awaitingRecovery
                let placements = try await catalog.mailboxes.placementsToCheck()
                report.placements = placements.count
                for placement in placements {
                    let place = "\(placement.user) folder \"\(placement.mailbox)\" UID \(placement.uid)"
                    if let envelope = placement.envelope {
                        if envelopes[envelope] == nil {
                            report.findings.append(IntegrityFinding(
                                area: "placement", detail: "\(place) names archive record \(envelope), which the archive does not hold"))
                        }
                        continue
                    }
                    switch placement.draft {
                    case .keptCopy:
                        continue
                    case .draft where placement.mailboxIsDrafts:
                        continue
                    case .draft:
                        report.findings.append(IntegrityFinding(
                            area: "placement", detail: "\(place) holds a draft outside the drafts folder, with no archive record"))
                    case .missing, nil:
                        report.findings.append(IntegrityFinding(
                            area: "placement", detail: "\(place) names a draft-store row that does not exist"))
                    }
                }
                // Catalogs made before the quarantine existed have no table: then only the archive's
                // side is checked (held deliveries nobody lists still are findings).
                let quarantined = (try? await catalog.governance.quarantined(all: true)) ?? []
                report.findings += QuarantineCheck.findings(entries: quarantined, decisions: governanceRecords,
                                                            envelopes: checked, purged: purged)
                report.derived = try await DerivedIndexCheck.run(catalog: catalog, dataDirectory: dataDirectory,
                                                                 envelopes: checked, partiallyPurged: partiallyPurged)
                report.findings += report.derived.findings.map { IntegrityFinding(area: "derived index", detail: $0.description) }
                return report
            }
        } catch {
            report.findings.append(IntegrityFinding(area: "catalog", detail: "cannot be read: \(error)"))
        }
        report.anchors = await anchors.finish(
            sealKeys: Set((archive.sealKeys?.keys.map(\.hex) ?? [archive.publicKeyHex]).map { $0.lowercased() }))
        report.findings += report.anchors.findings
        return report
    }

    /// Every message findable by its words: a document per message row (but for messages a journaled
    /// purge is taking out, `leaving`) and none without one. A pending rebuild (a new index format)
    /// is named too: until it ends, search misses words.
    static func fullTextFindings(_ coverage: FullTextCoverage, leaving: Set<String>) -> [IntegrityFinding] {
        var findings: [IntegrityFinding] = []
        let missing = coverage.messagesWithoutDocument.filter { !leaving.contains($0) }
        if !coverage.isCurrent {
            findings.append(IntegrityFinding(area: "full-text index", detail: "is being built anew for a new format; "
                + "search misses words of messages not reached yet (`tresor serve` or `tresor import` finishes it)"))
        } else if !missing.isEmpty {
            findings.append(IntegrityFinding(area: "full-text index", detail: "\(missing.count) "
                + "message(s) have no document, so search does not find them by their words (e.g. "
                + "\(missing.prefix(5).joined(separator: ", "))); run `tresor reindex`"))
        }
        if coverage.documentsWithoutMessage > 0 {
            findings.append(IntegrityFinding(area: "full-text index", detail: "\(coverage.documentsWithoutMessage) "
                + "document(s) belong to no message; run `tresor reindex`"))
        }
        return findings
    }

    /// The audit trail: every audit event of the archive listed unchanged in the catalog's audit log,
    /// no row there without its event, and every operator signature on an entry valid.
    /// Events the log lacks after the recovery checkpoint and after the newest event a row lists are
    /// counted as awaiting recovery (a crash came between the archive and the catalog; the next
    /// `serve` lists them), not as findings; an unlisted event before a listed one is a finding.
    static func auditFindings(_ journaled: [RecordLocation: AuditEntry], rows: [AuditLogRow],
                              operatorKeys: [String: String], recoveryCheckpoint: RecordLocation?)
        -> (findings: [IntegrityFinding], awaitingRecovery: Int)
    {
        var report = ComplianceService.compare(journaled: journaled, rows: rows)
        ComplianceService.checkSignatures(journaled, operatorKeys: operatorKeys, into: &report)
        func line(_ entry: AuditEntry) -> String { "\(Timestamp.string(entry.time)) \(entry.actor) \(entry.action)" }
        var findings: [IntegrityFinding] = []
        var awaiting = 0
        // A crash between archive and catalog leaves unlisted only the newest events: after the
        // recovery checkpoint and after every event a row lists. Anything earlier was deleted.
        let lastListed = rows.compactMap(\.record).max()
        for (record, entry) in report.removed {
            if recoveryCheckpoint.map({ record > $0 }) ?? true, lastListed.map({ record > $0 }) ?? true {
                awaiting += 1
                continue
            }
            findings.append(IntegrityFinding(area: "audit", detail: "event \(record) (\(line(entry))) is missing from the "
                                                 + "catalog's audit log"))
        }
        for (row, record, _, journaled) in report.altered {
            findings.append(IntegrityFinding(area: "audit", detail: "row \(row) differs from event \(record) "
                                                 + "(\(line(journaled))) it names"))
        }
        for (row, entry) in report.unbacked {
            findings.append(IntegrityFinding(area: "audit", detail: "row \(row) (\(line(entry))) names no audit event "
                                                 + "in the archive"))
        }
        for (record, entry) in report.badSignatures {
            findings.append(IntegrityFinding(area: "audit", detail: "event \(record) (\(line(entry))) is not signed by "
                                                 + "the operator it names"))
        }
        return (findings, awaiting)
    }

    /// Governance records that failed their checks, and every difference between the catalog's
    /// governance tables and what the records say. A crash between journaling a governance record
    /// and caching it leaves the catalog one or a few records behind, and the action's audit event
    /// (journaled after the cache is written) unwritten: when the catalog is exactly the state of the
    /// chain without its newest records, all after `after` (the recovery checkpoint and the newest
    /// audit event), those are counted as awaiting recovery (the next `serve` caches them). A row
    /// deleted by hand is followed by its action's audit event, so it stays a finding, as does
    /// every other difference.
    static func governanceFindings(_ chain: GovernanceState, records: [(GovernanceRecord, RecordLocation)],
                                   after: RecordLocation?, catalog: Catalog) async throws
        -> (findings: [IntegrityFinding], awaitingRecovery: Int)
    {
        var findings = chain.problems.map { IntegrityFinding(area: "governance", detail: $0.description) }
        let cached = try await ComplianceService.cachedGovernanceState(catalog: catalog, systemKeys: chain.systemKeys)
        var (differences, unvouched) = ComplianceService.compare(chain: chain, cached: cached)
        var awaiting = 0
        if !differences.isEmpty {
            let late = records.reversed().prefix { record in after.map { record.1 > $0 } ?? true }
            // Concurrent governance actions are few; a longer lag is not a crash's.
            for behind in 1...max(1, min(late.count, maximumGovernanceLag)) where !late.isEmpty {
                var earlier = GovernanceState(systemKeys: chain.systemKeys)
                for (record, location) in records.dropLast(behind) { earlier.apply(record, at: location) }
                let lagging = ComplianceService.compare(chain: earlier, cached: cached)
                if lagging.differences.isEmpty && lagging.unvouched.isEmpty {
                    (differences, unvouched, awaiting) = ([], [], behind)
                    break
                }
            }
        }
        findings += differences.map { IntegrityFinding(area: "governance", detail: $0) }
        findings += unvouched.map { IntegrityFinding(area: "governance", detail: $0) }
        if awaiting == 0, let change = chain.protectionChange, let stored = try await catalog.governance.protection(),
            stored.record != chain.protectionRecord || stored.settings != change.settings
        {
            findings.append(IntegrityFinding(area: "protection", detail: "the catalog says \(stored.settings) (record "
                + "\(stored.record)), the archive's newest protection change (record "
                + "\(chain.protectionRecord.map(\.description) ?? "-")) says \(change.settings)"))
        }
        // A row removed from `restricted_message` shows restricted mail to its owner; one added
        // hides mail nothing restricts. Each active restriction's query is run again.
        for drift in try await catalog.governance.restrictionDrift() {
            findings.append(IntegrityFinding(area: "restriction", detail: "restriction \(drift.name): "
                + "\(drift.missing) message(s) its query matches are not hidden, \(drift.extra) hidden that it does not match"))
        }
        return (findings, awaiting)
    }

    /// How many of the newest governance records the catalog may lack after a crash.
    static let maximumGovernanceLag = 16
}
