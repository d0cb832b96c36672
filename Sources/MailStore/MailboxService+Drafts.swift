import Catalog
import MailMessage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// No placement without an archive record. A message APPENDed into the user's drafts folder (the
/// one mailbox with SPECIAL-USE `\Drafts`, RFC 6154) lives in the catalog's draft store: drafts change
/// at every autosave and are no business records. The moment a draft leaves that folder — COPY or
/// MOVE elsewhere, or the folder renamed (it then stops being the drafts folder) — it is journaled
/// into the archive like an APPEND (source "imap", its new mailbox in the envelope), before the
/// command completes, and its new placement names that record. A user has at most one `\Drafts`
/// folder, so no second one can hide mail either. `verify` checks the invariant on the catalog.
extension MailboxService {
    /// Whether `name` is the user's drafts folder.
    func isDraftsFolder(_ name: String, of user: String) async throws -> Bool {
        try await catalog.mailboxes.specialUse(of: name, of: user)?.lowercased() == "\\drafts"
    }

    /// Journals the drafts among `entries` (kept copies and archived messages are left alone) as
    /// APPENDs into `destination`, in one group commit; their index items by UID.
    func journalDrafts(_ entries: [MailboxEntry], into destination: String, of user: String, by actor: AuditActor)
        async throws -> [UInt32: IndexItem]
    {
        let draftIDs = entries.compactMap { entry -> Int64? in
            if case .draft(let id) = entry.body { return id }
            return nil
        }
        guard !draftIDs.isEmpty else { return [:] }
        let drafts = try await catalog.mailboxes.drafts(among: draftIDs)
        let generation = try await catalog.accounts.withAccounts { try $0.lockGeneration() }
        var pending: [(uid: UInt32, message: Message, envelope: Envelope)] = []
        for entry in entries {
            guard case .draft(let id) = entry.body, drafts.contains(id),
                let raw = try await catalog.mailboxes.draftBytes(id: id, of: user)
            else { continue }
            var envelope = Envelope(recipients: [user], receivedAt: clock.now(), clientAddress: actor.clientAddress,
                                    authenticatedUser: user, direction: .imported, source: .imap,
                                    sourceDetail: "left the drafts folder", imapMailbox: destination,
                                    receivedFrom: .archive)
            let message = Message(parsing: raw)
            try await store.delivery.stampFloors(on: &envelope, message: message, lockGeneration: generation)
            pending.append((entry.uid, message, envelope))
        }
        guard !pending.isEmpty else { return [:] }
        let receipts = try await archive.append(messages: pending.map { ($0.message.raw, $0.envelope) })
        var journaled: [UInt32: IndexItem] = [:]
        for (draft, receipt) in zip(pending, receipts) {
            journaled[draft.uid] = IndexItem(message: draft.message, receipt: receipt, envelope: draft.envelope)
        }
        try await audit("imap draft archived", "user=\(user) into=\(destination) uids=\(Self.uidList(Array(journaled.keys)))",
                        count: journaled.count, by: actor)
        return journaled
    }

    /// Before the drafts folder is renamed: its drafts are journaled and re-pointed to their records,
    /// and it loses `\Drafts`, so that the renamed folder holds only archived mail.
    func archiveDraftsFolder(_ name: String, renamedTo newName: String, of user: String, by actor: AuditActor)
        async throws
    {
        guard try await isDraftsFolder(name, of: user) else { return }
        // Each round journals the drafts there are; a draft APPENDed meanwhile takes another round.
        for _ in 0..<8 {
            let snapshot = try await catalog.mailboxes.snapshot(of: name, of: user)
            let journaled = try await journalDrafts(snapshot.messages, into: newName, of: user, by: actor)
            let cleared: Bool
            do {
                cleared = try await catalog.mailboxes.archiveDrafts(journaled, in: name, of: user, clearDraftsUse: true)
            } catch {
                try await catalog.messages.indexUnplaced(Array(journaled.values))
                throw error
            }
            if cleared { return }
        }
        throw MailboxError.storage(StorageFailure(kind: .unavailable, description: "drafts kept arriving in \(name) while it was renamed; try again"))
    }
}
