import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The DLP quarantine: outgoing mail a rule held from the outbound queue. Holding is the server's
/// work (audited as `dlp quarantine`); releasing and rejecting are a compliance operator's
/// decisions, signed as governance records like holds, then carried out and audited. The archived
/// record is never removed: a rejected message stays in the archive, it is only never sent.
extension ComplianceService {
    /// Records a DLP rule's hit on an outgoing message (every hit, whatever its action).
    public func recordDLPHit(rule: String, action: String, transaction: String, sender: String,
                             recipients: [String], by actor: AuditActor) async throws(ComplianceError) {
        try await catching {
            try await audit("dlp hit", "rule \(rule): action \(action); transaction \(transaction); from <\(sender)> "
                                + "to \(recipients.map { "<\($0)>" }.joined(separator: " "))", by: actor)
        }
    }

    /// Files a journaled delivery into the quarantine; returns its entry with the id.
    public func quarantine(_ entry: QuarantinedMessage, by actor: AuditActor) async throws(ComplianceError)
        -> QuarantinedMessage
    {
        try await catching {
            let stored = try await catalog.governance.addQuarantined(entry)
            try await audit("dlp quarantine", "quarantine \(stored.id): message \(entry.sha256.prefix(16)) from "
                                + "<\(entry.mailFrom)> held by \(entry.rules.joined(separator: ",")); envelope \(entry.envelope)",
                            by: actor)
            return stored
        }
    }

    /// The held messages (with `all`, decided ones too), oldest first. Audited.
    public func quarantined(all: Bool, by actor: AuditActor) async throws(ComplianceError) -> [QuarantinedMessage] {
        try await catching {
            let entries = try await catalog.governance.quarantined(all: all)
            try await audit("quarantine list", all ? "all" : "held", count: entries.count, by: actor)
            return entries
        }
    }

    /// One quarantine entry. Audited.
    public func quarantined(id: Int64, by actor: AuditActor) async throws(ComplianceError) -> QuarantinedMessage {
        try await catching {
            guard let entry = try await catalog.governance.quarantined(id: id) else {
                throw ComplianceError.unknownMessage("quarantine \(id)")
            }
            try await audit("quarantine show", "\(id)", by: actor)
            return entry
        }
    }

    /// Releases a held message: signed and journaled, marked released, then handed to the outbound
    /// queue for its external recipients (a delivery of its own, journaled like any mail the
    /// server sends, whose envelope names the quarantine entry). Returns the recipients queued.
    public func releaseQuarantined(_ id: Int64, reason: String, by signer: GovernanceSigner)
        async throws(ComplianceError) -> [String]
    {
        try await catching {
            let (entry, location) = try await decide(id, .released, reason: reason, by: signer)
            guard let bytes = try await store.reader.content(sha256: entry.sha256) else {
                throw ComplianceError.missingFromArchive(entry.sha256)
            }
            let outcome = try await store.delivery.deliver(message: bytes, envelope: Envelope(
                mailFrom: entry.mailFrom, recipients: entry.recipients, receivedAt: clock.now(), direction: .outbound,
                source: .other("dlp-release"), sourceDetail: "quarantine \(id)", receivedFrom: .archive))
            try await audit("quarantine release", "quarantine \(id): reason=\(Self.quoted(reason)); queued "
                                + "\(outcome.queued.joined(separator: " ")); record \(location)",
                            count: outcome.queued.count, by: signer.actor)
            return outcome.queued
        }
    }

    /// Rejects a held message: signed and journaled, marked rejected, and its sender told with
    /// `notice` (made from the archived bytes, e.g. a DSN) from the null reverse-path. Nothing is
    /// deleted: the archive keeps the message and the decision.
    public func rejectQuarantined(_ id: Int64, reason: String, by signer: GovernanceSigner,
                                  notice: @Sendable ([UInt8], QuarantinedMessage) -> [UInt8])
        async throws(ComplianceError)
    {
        try await catching {
            let (entry, location) = try await decide(id, .rejected, reason: reason, by: signer)
            var told = "nobody (null sender)"
            if !entry.mailFrom.isEmpty, let bytes = try await store.reader.content(sha256: entry.sha256) {
                try await store.delivery.deliverFromNullSender(notice(bytes, entry), to: entry.mailFrom, source: .dsn,
                                                               detail: "quarantine \(id) rejected")
                told = "<\(entry.mailFrom)>"
            }
            try await audit("quarantine reject", "quarantine \(id): reason=\(Self.quoted(reason)); told \(told); "
                                + "record \(location)", by: signer.actor)
        }
    }

    /// The one way a held entry is decided: it must still be held; the decision is signed and
    /// journaled first (the record), then the catalog row changes only if it is still held (a
    /// second decision racing this one is refused). Returns the entry and the decision's record.
    private func decide(_ id: Int64, _ status: QuarantinedMessage.Status, reason: String, by signer: GovernanceSigner)
        async throws -> (QuarantinedMessage, RecordLocation)
    {
        guard let entry = try await catalog.governance.quarantined(id: id) else {
            throw ComplianceError.unknownMessage("quarantine \(id)")
        }
        guard entry.status == .held else {
            throw GovernanceError.refused(action: "quarantine decision",
                                          reason: "quarantine \(id) was \(entry.status.rawValue) already")
        }
        let (record, location) = try await journalGovernance(
            .quarantineDecided(id: id, status: status.rawValue, reason: reason), by: signer)
        guard try await catalog.governance.decideQuarantined(id: id, status: status, by: signer.foldName,
                                                             reason: reason, at: record.at)
        else { throw GovernanceError.refused(action: "quarantine decision", reason: "quarantine \(id) is not held") }
        return (entry, location)
    }
}
