import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Lays out a `ProcedureReport` from what `ComplianceService.procedureReport` gathered. Pure: every
/// row comes from a record or the configuration, in a fixed order (names, then chain order).
struct ProcedureReportBuilder {
    var context: ProcedureContext
    var state: GovernanceState
    var governance: [(RecordLocation, GovernanceRecord)]
    var purges: [PurgeRecord]
    /// Bodies, envelopes, events other than audit events (which every read adds, this report's own too).
    var recordCounts: [Int]
    var sealKeys: SealKeyChain
    var anchors: [JournaledAnchor]
    var domains: [String]

    typealias Section = ProcedureReport.Section

    func report() -> ProcedureReport {
        ProcedureReport(title: "Procedure documentation (Verfahrensdokumentation)", sections: [
            software(), configuration(), operators(), auditorAccess(), protection(), policies(), lockedVersions(), holds(),
            restrictions(), privateMail(), keys(), anchoring(), purgeSummary(), governanceLog(), format(),
        ])
    }

    private func time(_ date: Date?) -> String { date.map { Timestamp.string($0) } ?? "" }

    private func software() -> Section {
        Section(title: "Software and archive", note: "What keeps the mail, and what the archive holds now.",
                columns: ["item", "value"], rows: [
                    ["software", context.software],
                    ["archive records", "\(recordCounts[0]) message bodies, \(recordCounts[1]) deliveries (envelopes), "
                        + "\(recordCounts[2]) governance, purge, anchor and key events (audit events not counted)"],
                    ["local domains", domains.sorted().joined(separator: ", ")],
                ])
    }

    private func configuration() -> Section {
        Section(title: "Configuration in force",
                note: "The settings of the configuration file this report was made with, defaults filled in "
                    + "(secrets by file name only).",
                columns: ["setting", "value"], rows: context.configuration.map { [$0.key, $0.value] })
    }

    private func operators() -> Section {
        Section(title: "Operators and roles",
                note: "The people who govern the record, each with an Ed25519 key that signs what they do. "
                    + "admin: operators and protection; compliance: holds, restrictions, retention; auditor: reads.",
                columns: ["name", "role", "key fingerprint", "added", "revoked"],
                rows: state.operators.values.sorted { $0.record.name < $1.record.name }.map { person in
                    [person.record.name, person.record.role.rawValue, person.record.fingerprint,
                     "\(time(person.addedAt)) by \(person.addedBy)",
                     person.revokedAt.map { "\(time($0)) by \(person.revokedBy ?? "?")" } ?? ""]
                })
    }

    private func auditorAccess() -> Section {
        Section(title: "Auditor access over IMAP",
                note: "Operators who may read part of the archive in a mail client, read-only: the scope (cases "
                    + "and/or a query; restricted mail only when stated; private mail never) and saved searches.",
                columns: ["operator", "IMAP password", "scope", "saved searches"],
                rows: state.access.keys.sorted().compactMap { name in
                    guard let access = state.access[name] else { return nil }
                    return [name, access.passwordHash == nil ? "not set" : "set", access.scope?.summary ?? "nothing",
                            access.searches.keys.sorted().map { "\($0): \(access.searches[$0] ?? "")" }.joined(separator: "; ")]
                })
    }

    private func protection() -> Section {
        var rows = governance.compactMap { location, record -> [String]? in
            guard case .protectionChanged(let change) = record.action else { return nil }
            return [time(record.at), change.settings.description, record.signer
                        + (change.approvedBy.map { ", approved by \($0)" } ?? ""), "\(location)"]
        }
        if rows.isEmpty { rows = [["(never set)", ProtectionSettings().description, "", ""]] }
        return Section(title: "Protection settings",
                       note: "require_approval: purges need a second person. require_operator: content reads need an "
                           + "operator's key. Lowering either needs a second admin. Every change, oldest first.",
                       columns: ["since", "settings", "signed by", "record"], rows: rows)
    }

    private func policies() -> Section {
        Section(title: "Retention policies in force",
                note: "The policy files of the configured folder. A locked policy cannot be shortened or removed "
                    + "(see the locked versions below); a fallback governs only the messages no other policy matches.",
                columns: ["policy", "match", "retain", "count from", "action", "file"],
                rows: context.policies.sorted { $0.first ?? "" < $1.first ?? "" })
    }

    private func lockedVersions() -> Section {
        Section(title: "Locked policy versions",
                note: "Every version of a locked policy the chain records, oldest first.",
                columns: ["recorded", "policy", "match", "retain", "count from", "action", "file", "signed by", "record"],
                rows: governance.compactMap { location, record in
                    switch record.action {
                    case .lockRecorded(let version):
                        return [time(record.at), version.policy, version.match, version.retain, version.countFrom,
                                version.action, version.file, record.signer, "\(location)"]
                    case .lockForgotten(let policy):
                        return [time(record.at), policy, "(lock removed)", "", "", "", "", record.signer, "\(location)"]
                    default:
                        return nil
                    }
                })
    }

    private func holds() -> Section {
        Section(title: "Legal holds",
                note: "Messages a hold's query matches are not purged while it is active.",
                columns: ["case", "query", "reason", "placed", "released"],
                rows: state.holds.values.sorted { $0.name < $1.name }.map { hold in
                    [hold.name, hold.query, hold.reason, "\(time(hold.createdAt)) by \(hold.createdBy)",
                     hold.releasedAt.map { "\(time($0)) by \(hold.releasedBy ?? "?"): \(hold.releaseReason ?? "")" } ?? ""]
                })
    }

    private func restrictions() -> Section {
        Section(title: "Restrictions of processing (GDPR Art. 18)",
                note: "Messages a restriction's query matches are hidden from their owners while it is active; "
                    + "holds and retention still apply to them.",
                columns: ["case", "query", "reason", "placed", "released"],
                rows: state.restrictions.values.sorted { $0.name < $1.name }.map { restriction in
                    [restriction.name, restriction.query, restriction.reason,
                     "\(time(restriction.createdAt)) by \(restriction.createdBy)",
                     restriction.releasedAt.map { "\(time($0)) by \(restriction.releasedBy ?? "?"): \(restriction.releaseReason ?? "")" }
                        ?? ""]
                })
    }

    private func privateMail() -> Section {
        Section(title: "Private-mail rule",
                note: "Messages the rule marks private are left out of auditors' views and case exports unless a "
                    + "case names them. Every version, oldest first.",
                columns: ["since", "rule", "signed by", "record"],
                rows: governance.compactMap { location, record in
                    guard case .privateRuleSet(let rule) = record.action else { return nil }
                    return [time(record.at), rule.isEmpty ? "(none)" : rule.description, record.signer, "\(location)"]
                })
    }

    private func keys() -> Section {
        var rows = [["root", sealKeys.root.hex, "", "the key the archive was created with"]]
        for rotation in sealKeys.rotations {
            rows.append(["rotation", rotation.record.new, time(rotation.record.time),
                         "hands over from \(rotation.record.old.prefix(16))…, record \(rotation.location)"])
        }
        return Section(title: "Seal keys",
                       note: "The Ed25519 keys that seal the archive (hex public keys). Each rotation is signed by "
                           + "the old and the new key; pin the root (or the whole chain) outside this machine.",
                       columns: ["kind", "public key", "since", "note"], rows: rows)
    }

    private func anchoring() -> Section {
        Section(title: "Anchoring",
                note: "The newest RFC 3161 time stamp of the chain per time-stamp authority: a third party's "
                    + "signature that the archive held this state at that time.",
                columns: ["authority", "time", "records covered", "chain value", "record"],
                rows: anchors.sorted { $0.record.tsa < $1.record.tsa }.map { anchor in
                    [anchor.record.tsa, time(anchor.record.genTime), "\(anchor.record.records)", anchor.record.chain,
                     "\(anchor.location)"]
                })
    }

    private func purgeSummary() -> Section {
        var byYear: [String: (purges: Int, messages: Int)] = [:]
        var byPolicy: [String: Int] = [:]
        for purge in purges {
            let year = String(Timestamp.string(purge.time).prefix(4))
            byYear[year, default: (0, 0)].purges += 1
            byYear[year, default: (0, 0)].messages += Set(purge.removed.map(\.sha256)).count
            for item in purge.messages { byPolicy[item.policy, default: 0] += 1 }
        }
        var rows = byYear.keys.sorted().map { year in
            ["year \(year)", "\(byYear[year]?.purges ?? 0) purge(s), \(byYear[year]?.messages ?? 0) message(s) removed"]
        }
        rows += byPolicy.keys.sorted().map { ["policy \($0)", "\(byPolicy[$0] ?? 0) message(s) asked for"] }
        if rows.isEmpty { rows = [["(none)", "nothing was ever purged"]] }
        return Section(title: "Purges", note: "What retention removed, by year and by policy; each purge is a record "
                           + "of the chain naming every removed record and its hashes.",
                       columns: ["", "count"], rows: rows)
    }

    private func governanceLog() -> Section {
        Section(title: "Governance history",
                note: "Every signed governance record of the chain, oldest first.",
                columns: ["time", "action", "signed by", "record"],
                rows: governance.map { location, record in
                    [time(record.at), record.action.name, record.signer, "\(location)"]
                })
    }

    private func format() -> Section {
        Section(title: "Archive format",
                note: "How the record is kept (ARCHITECTURE.md has the details).",
                columns: ["part", "how"], rows: [
                    ["segments", "append-only files DATA/archive/NNNNNNNN.seg; each record framed with its kind, "
                        + "length and SHA-256, bodies deflate-compressed and stored once per SHA-256"],
                    ["chain", "every record's hash is chained to the previous chain value (SHA-256); a sealed "
                        + "segment ends with a seal signed by the seal key in effect; HEAD names the newest value, signed"],
                    ["deliveries", "an envelope record per delivery: sender, recipients, received time, source"],
                    ["events", "audit, governance (signed by an operator or the seal key), purge, anchor and "
                        + "key-rotation records in the same chain"],
                    ["purges", "a purge record first names what it removes; compaction then rewrites the segment "
                        + "with stubs that keep each removed record's hashes, so the chain still verifies"],
                    ["catalog", "catalog.sqlite (SQLite) indexes the archive; `tresor verify` compares it with the "
                        + "archive and `tresor reindex` rebuilds it"],
                ])
    }
}
