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
extension MailStore {
    /// Appends `raw` to one of the user's mailboxes with `flags` (as the client names them) and
    /// `internalDate` (now when nil). A missing mailbox is `MailboxError.nonexistent` (TRYCREATE),
    /// checked before anything is journaled.
    public func append(_ raw: [UInt8], flags: [String] = [], internalDate: Date? = nil, to name: String,
                       of user: String) async throws -> AppendResult {
        let mailbox = try IMAPMailboxName.validate(name), address = AccountAddress.fold(user)
        let parsed = try MessageFlags(parsing: flags)
        let date = internalDate ?? Date()
        let result: AppendResult
        if try await catalog.mailboxes.specialUse(of: mailbox, of: address)?.lowercased() == "\\drafts" {
            result = try await catalog.mailboxes.appendDraft(raw, sha256: Self.sha256Hex(raw), flags: parsed, internalDate: date,
                                                   to: mailbox, of: address)
        } else {
            let envelope = Envelope(recipients: [address], receivedAt: Date(), authenticatedUser: address,
                                    direction: .imported, source: "imap", sourceDetail: "APPEND \(mailbox)")
            let receipt = try await archive.append(message: raw, envelope: envelope)
            let item = IndexItem(message: Message(parsing: raw), receipt: receipt, envelope: envelope)
            result = try await catalog.mailboxes.appendMessage(item, flags: parsed, internalDate: date, to: mailbox, of: address)
        }
        await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .messagesAdded))
        return result
    }

    /// The bytes of the message with `uid` in one of the user's mailboxes (archive or draft store),
    /// or nil if there is no such message. Through the LRU cache.
    public func messageBytes(uid: UInt32, in name: String, of user: String) async throws -> [UInt8]? {
        guard let entry = try await mailboxMessage(uid: uid, in: name, of: user) else { return nil }
        return try await messageBytes(of: entry, user: user)
    }

    /// The bytes of a message from one of `user`'s snapshots (the entry must come from that user's
    /// own `mailboxSnapshot`/`mailboxChanges`; the draft store checks the owner again, and drafts are
    /// cached per user). Through the LRU cache (by SHA-256: content-addressed, never stale).
    public func messageBytes(of entry: MailboxEntry, user: String) async throws -> [UInt8]? {
        let address = AccountAddress.fold(user)
        let key: String
        switch entry.body {
        case .archive: key = entry.sha256
        case .draft: key = "draft \(address) \(entry.sha256)"
        }
        if let cached = byteCache.bytes(key: key) { return cached }
        let bytes: [UInt8]?
        switch entry.body {
        case .archive: bytes = try await content(sha256: entry.sha256)
        case .draft(let id): bytes = try await catalog.mailboxes.draftBytes(id: id, of: address)
        }
        if let bytes { byteCache.store(bytes, key: key) }
        return bytes
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
