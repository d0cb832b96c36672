import ArchiveStore
import Catalog
import Crypto
import MailMessage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// APPEND (RFC 3501 §6.3.11, RFC 4315 APPENDUID) and reading a placed message's bytes.
///
/// Where APPENDed bytes go: into the archive (journaled, fsync'd, source "imap", direction
/// `imported`, the user as envelope recipient and authenticated user), then indexed and placed in one
/// catalog transaction — EXCEPT when the target mailbox has SPECIAL-USE `\Drafts` (RFC 6154): drafts
/// change constantly (a client re-APPENDs at every autosave) and are no business records, so their
/// bytes go into the catalog's `draft` table, are not indexed, and are dropped when the last placement
/// naming them is expunged. A draft COPYed or MOVEd elsewhere, or left in a renamed drafts folder,
/// is journaled at that moment (`MailboxService+Drafts`); the message a user finally sends is
/// archived by SMTP submission.
extension MailboxService {
    /// Appends `raw` to one of the user's mailboxes with `flags` (as the client names them) and
    /// `internalDate` (now when nil). A missing mailbox is `MailboxError.nonexistent` (TRYCREATE),
    /// checked before anything is journaled.
    public func append(_ raw: [UInt8], flags: [String] = [], internalDate: Date? = nil, to name: String,
                       of user: String, by actor: AuditActor) async throws(MailboxError) -> AppendResult {
        try await catching {
            let mailbox = try IMAPMailboxName.validate(name), address = AccountAddress.fold(user)
            let parsed = try MessageFlags(parsing: flags)
            try await catalog.mailboxes.requireKeywordRoom(for: parsed, in: mailbox, of: address)
            let date = internalDate ?? clock.now()
            let result: AppendResult
            if let draft = try await appendDraft(raw, flags: parsed, internalDate: date, to: mailbox, of: address) {
                result = draft
            } else {
                result = try await appendArchived(raw, flags: parsed, internalDate: date, to: mailbox, of: address, by: actor)
            }
            try await audit("imap append", "user=\(address) mailbox=\(mailbox) uid=\(result.uid) sha256=\(Self.sha256Hex(raw))",
                            by: actor)
            await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .messagesAdded))
            return result
        }
    }

    /// Stores `raw` as a draft when `mailbox` is the drafts folder, still at the moment of the
    /// transaction (a RENAME may turn it into an ordinary folder meanwhile); nil otherwise.
    private func appendDraft(_ raw: [UInt8], flags: MessageFlags, internalDate: Date, to mailbox: String,
                             of address: String) async throws -> AppendResult? {
        guard try await isDraftsFolder(mailbox, of: address) else { return nil }
        do {
            return try await catalog.mailboxes.appendDraft(raw, sha256: Self.sha256Hex(raw), flags: flags,
                                                           internalDate: internalDate, to: mailbox, of: address,
                                                           at: clock.now())
        } catch is DraftsFolderChanged {
            return nil
        }
    }

    /// Journals `raw` as an APPEND into `mailbox`, then indexes and places it in one transaction.
    private func appendArchived(_ raw: [UInt8], flags: MessageFlags, internalDate: Date, to mailbox: String,
                                of address: String, by actor: AuditActor) async throws -> AppendResult {
        let item = try await journalAppend(raw, to: mailbox, of: address, by: actor)
        do {
            return try await catalog.mailboxes.appendMessage(item, flags: flags, internalDate: internalDate, to: mailbox,
                                                             of: address)
        } catch {
            try await catalog.messages.indexUnplaced([item])  // the mailbox was deleted meanwhile
            throw error
        }
    }

    /// Journals `raw` (fsync'd) as an APPEND into `mailbox`; the index item to place it with.
    func journalAppend(_ raw: [UInt8], to mailbox: String, of address: String, by actor: AuditActor) async throws
        -> IndexItem
    {
        var envelope = Envelope(recipients: [address], receivedAt: clock.now(), clientAddress: actor.clientAddress,
                                authenticatedUser: address, direction: .imported, source: .imap,
                                imapMailbox: mailbox, receivedFrom: .archive)
        let message = Message(parsing: raw)
        let generation = try await catalog.accounts.withAccounts { try $0.lockGeneration() }
        try await store.delivery.stampFloors(on: &envelope, message: message, lockGeneration: generation)
        let receipt = try await archive.append(message: raw, envelope: envelope)
        return IndexItem(message: message, receipt: receipt, envelope: envelope)
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }
}
