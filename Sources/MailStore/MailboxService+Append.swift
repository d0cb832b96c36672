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
/// naming them is expunged. A draft COPYed or MOVEd elsewhere keeps living in the draft store; the
/// message a user finally sends is archived by SMTP submission.
extension MailboxService {
    /// Appends `raw` to one of the user's mailboxes with `flags` (as the client names them) and
    /// `internalDate` (now when nil). A missing mailbox is `MailboxError.nonexistent` (TRYCREATE),
    /// checked before anything is journaled.
    public func append(_ raw: [UInt8], flags: [String] = [], internalDate: Date? = nil, to name: String,
                       of user: String, by actor: AuditActor) async throws(MailboxError) -> AppendResult {
        try await catching {
            let mailbox = try IMAPMailboxName.validate(name), address = AccountAddress.fold(user)
            let parsed = try MessageFlags(parsing: flags)
            let date = internalDate ?? clock.now()
            let result: AppendResult
            if try await catalog.mailboxes.specialUse(of: mailbox, of: address)?.lowercased() == "\\drafts" {
                result = try await catalog.mailboxes.appendDraft(raw, sha256: Self.sha256Hex(raw), flags: parsed, internalDate: date,
                                                       to: mailbox, of: address, at: clock.now())
            } else {
                let envelope = Envelope(recipients: [address], receivedAt: clock.now(), clientAddress: actor.clientAddress,
                                        authenticatedUser: address, direction: .imported, source: .imap,
                                        imapMailbox: mailbox)
                let receipt = try await archive.append(message: raw, envelope: envelope)
                let item = IndexItem(message: Message(parsing: raw), receipt: receipt, envelope: envelope)
                result = try await catalog.mailboxes.appendMessage(item, flags: parsed, internalDate: date, to: mailbox, of: address)
            }
            try await audit("imap append", "user=\(address) mailbox=\(mailbox) uid=\(result.uid) sha256=\(Self.sha256Hex(raw))",
                            by: actor)
            await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .messagesAdded))
            return result
        }
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }
}
