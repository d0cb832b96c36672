import Catalog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// MULTIAPPEND (RFC 3502 §6.3.11): several messages into one mailbox, all or none.
///
/// The archive is append-only, so "none" means none PLACED: each message is journaled first (as
/// a single APPEND is), then the whole batch is placed in one catalog transaction. When journaling
/// the third message fails, or the placement does (the mailbox deleted meanwhile, a keyword
/// limit), the messages already journaled stay in the archive's record — indexed, found by the
/// legal search, marked routed so that recovery never places them — but no mailbox shows any
/// message of the batch. A crash between journaling and the placement is the one exception:
/// recovery places each journaled APPEND it finds unplaced, as it does for single APPENDs.
extension MailboxService {
    /// One message of a MULTIAPPEND: its bytes, the flags as the client names them, and its
    /// INTERNALDATE (now when nil).
    public struct AppendRequest: Sendable {
        public var raw: [UInt8]
        public var flags: [String]
        public var internalDate: Date?

        public init(raw: [UInt8], flags: [String] = [], internalDate: Date? = nil) {
            self.raw = raw
            self.flags = flags
            self.internalDate = internalDate
        }
    }

    /// Appends every request to `name`, in order, or none (see above); the results in order. A
    /// missing mailbox (TRYCREATE) and invalid flags are refused before anything is journaled. In
    /// the `\Drafts` mailbox the drafts go to the draft store, in the same single transaction.
    public func appendAll(_ requests: [AppendRequest], to name: String, of user: String, by actor: AuditActor)
        async throws(MailboxError) -> [AppendResult]
    {
        try await catching {
            let mailbox = try IMAPMailboxName.validate(name), address = AccountAddress.fold(user)
            let flags = try requests.map { try MessageFlags(parsing: $0.flags) }
            let drafts = try await isDraftsFolder(mailbox, of: address)  // also: the mailbox exists
            let now = clock.now()
            var batch: [CatalogMailboxes.BatchMessage] = []
            var journaled: [IndexItem] = []
            let results: [AppendResult]
            do {
                for (request, flags) in zip(requests, flags) {
                    let date = request.internalDate ?? now
                    if drafts {
                        batch.append(.init(draft: request.raw, sha256: Self.sha256Hex(request.raw), flags: flags,
                                           internalDate: date))
                    } else {
                        let item = try await journalAppend(request.raw, to: mailbox, of: address, by: actor)
                        journaled.append(item)
                        batch.append(.init(item: item, flags: flags, internalDate: date))
                    }
                }
                results = try await catalog.mailboxes.appendMessages(batch, to: mailbox, of: address, at: now)
            } catch {
                // Journaled but not placed: in the record and the index, never in a mailbox.
                try await catalog.messages.indexUnplaced(journaled)
                throw error
            }
            for (request, result) in zip(requests, results) {
                try await audit("imap append",
                                "user=\(address) mailbox=\(mailbox) uid=\(result.uid) sha256=\(Self.sha256Hex(request.raw))",
                                by: actor)
            }
            await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .messagesAdded))
            return results
        }
    }
}
