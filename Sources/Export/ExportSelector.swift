import Foundation
import MailStore

/// One message to export, as chosen; its bytes are read when it is written.
struct ExportItem: Sendable {
    var sha256: String
    /// Where the bytes are: a mailbox entry (archive or draft store) or the archive by SHA-256.
    var entry: MailboxEntry?
    /// When it was received (INTERNALDATE) or first archived: the mbox separator's date and the
    /// Maildir name's time.
    var receivedAt: Date
    /// The manifest's `folders` value.
    var folders: String
    /// IMAP flags and keywords (mailbox exports).
    var flags: [String]

    var isDraft: Bool {
        if case .draft = entry?.body { return true }
        return false
    }
}

/// The messages of one output container: one mbox file, Maildir or `.eml` folder.
struct ExportGroup: Sendable {
    /// The IMAP folder (mailbox exports); nil for a query or case export.
    var folder: String?
    var items: [ExportItem]
}

/// A selection resolved against the store at one moment.
struct ResolvedSelection: Sendable {
    var record: ExportRecord.Selection
    var groups: [ExportGroup]
    /// The user whose mailboxes are exported (reads drafts).
    var user: String?
}

/// Turns what the user asked for into messages.
enum ExportSelector {
    static func resolve(_ selection: ExportSelection, includePrivate: Bool = false, store: MailStore,
                        actor: AuditActor) async throws -> ResolvedSelection
    {
        switch selection {
        case .query(let text):
            let query = try SearchQuery(parsing: text)
            let record = ExportRecord.Selection(kind: .query, query: text)
            let hits = try await store.compliance.exportSelection(query, describing: "query", by: actor)
            return ResolvedSelection(record: record, groups: [try await queryGroup(hits, store: store)])
        case .legalHold(let name):
            guard let (hold, hits, leftOut) = try await store.compliance.exportSelection(
                forHold: name, includePrivate: includePrivate, by: actor)
            else { throw ExportError.unknownLegalHold(name) }
            let state = ExportRecord.LegalHoldState(
                name: hold.name, reason: hold.reason, createdBy: hold.createdBy, createdAt: hold.createdAt,
                active: hold.isActive, releasedBy: hold.releasedBy, releasedAt: hold.releasedAt,
                releaseReason: hold.releaseReason)
            var record = ExportRecord.Selection(kind: .legalHold, query: hold.query, legalHold: state)
            if includePrivate { record.includePrivate = true } else { record.privateMessagesLeftOut = leftOut }
            return ResolvedSelection(record: record, groups: [try await queryGroup(hits, store: store)])
        case .subjectAccess(let address):
            return try await subjectAccessGroup(address: address, store: store, actor: actor)
        case .mailbox(let user, let folder):
            return try await mailboxGroups(user: user, folder: folder, store: store, actor: actor)
        }
    }

    /// The matches of a query, oldest first (the search's order reversed), each with every
    /// placement that names it.
    static func queryGroup(_ hits: [SearchHit], store: MailStore) async throws -> ExportGroup {
        let placements = try await store.compliance.placements(of: Set(hits.map(\.id)))
        let items = hits.reversed().map { hit in
            ExportItem(sha256: hit.id, entry: nil, receivedAt: hit.archivedAt,
                       folders: (placements[hit.id] ?? []).sorted().joined(separator: "; "), flags: [])
        }
        return ExportGroup(folder: nil, items: items)
    }

    /// A subject-access export: the messages in one group like a query's, and the summary by
    /// folder, year and role (each list sorted by name, so the same data gives the same record).
    static func subjectAccessGroup(address: String, store: MailStore, actor: AuditActor) async throws
        -> ResolvedSelection
    {
        let found = try await store.compliance.exportSelection(forSubject: address, by: actor)
        let group = try await queryGroup(found.hits, store: store)
        var byFolder: [String: Int] = [:], byYear: [String: Int] = [:], byRole: [String: Int] = [:]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for (hit, item) in zip(found.hits.reversed(), group.items) {
            let folders = item.folders.isEmpty ? ["(archive only)"] : item.folders.components(separatedBy: "; ")
            for folder in Set(folders) { byFolder[folder, default: 0] += 1 }
            byYear[String(calendar.component(.year, from: hit.date ?? hit.archivedAt)), default: 0] += 1
            for role in found.roles[hit.id] ?? [] { byRole[role, default: 0] += 1 }
        }
        func counts(_ table: [String: Int]) -> [ExportRecord.SubjectAccessSummary.Count] {
            table.sorted { $0.key < $1.key }.map { .init(name: $0.key, messages: $0.value) }
        }
        let summary = ExportRecord.SubjectAccessSummary(
            address: found.address, messages: found.hits.count, restrictedMessages: found.restricted.count,
            note: "access under GDPR Art. 15 covers restricted messages (Art. 18): they are included",
            byFolder: counts(byFolder), byYear: counts(byYear), byRole: counts(byRole))
        var record = ExportRecord.Selection(kind: .subjectAccess)
        record.subjectAccess = summary
        return ResolvedSelection(record: record, groups: [group])
    }

    /// The user's folders as IMAP lists them (INBOX first), or `folder` and the folders below it;
    /// messages of each in UID order, drafts included.
    static func mailboxGroups(user: String, folder: String?, store: MailStore, actor: AuditActor) async throws
        -> ResolvedSelection
    {
        let listings = try await store.mailboxes.list(of: user)
        var names = listings.map(\.name)
        if let folder {
            let wanted = try IMAPMailboxName.validate(folder)
            names = names.filter { $0 == wanted || $0.hasPrefix(wanted + "/") }
            guard !names.isEmpty else { throw ExportError.unknownFolder(user: user, folder: folder) }
        }
        var groups: [ExportGroup] = []
        for (name, snapshot) in try await store.compliance.exportMailboxes(of: user, folders: names, by: actor) {
            let items = snapshot.messages.map { entry in
                ExportItem(sha256: entry.sha256, entry: entry, receivedAt: entry.internalDate, folders: name,
                           flags: entry.flags.names)
            }
            groups.append(ExportGroup(folder: name, items: items))
        }
        let record = ExportRecord.Selection(kind: .mailbox, user: user, folder: folder, folders: names)
        return ResolvedSelection(record: record, groups: groups, user: user)
    }
}
