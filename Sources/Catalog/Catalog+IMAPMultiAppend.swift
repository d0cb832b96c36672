import Foundation
import GRDB
import StoreModel

/// MULTIAPPEND (RFC 3502 §6.3.11: "If the server is unable to append all of the messages, then
/// none of the messages are appended"): every message of one APPEND placed in ONE transaction, so
/// that no session ever sees part of a batch.
extension CatalogMailboxes {
    /// One message of a batch: the journaled item (nil for a draft), or a draft's bytes.
    public struct BatchMessage: Sendable {
        public var item: IndexItem?
        public var draft: [UInt8]?
        public var sha256: String
        public var flags: MessageFlags
        public var internalDate: Date

        public init(item: IndexItem, flags: MessageFlags, internalDate: Date) {
            self.item = item
            self.draft = nil
            self.sha256 = item.receipt.sha256.lowercased()
            self.flags = flags
            self.internalDate = internalDate
        }

        public init(draft: [UInt8], sha256: String, flags: MessageFlags, internalDate: Date) {
            self.item = nil
            self.draft = draft
            self.sha256 = sha256.lowercased()
            self.flags = flags
            self.internalDate = internalDate
        }
    }

    /// Places every message of a batch into `name`, in order, in one transaction: journaled ones
    /// indexed and marked `routed` (as `appendMessage` does), drafts stored in the draft table
    /// (`appendDraft`) — the latter only while the mailbox is the drafts folder, else
    /// `DraftsFolderChanged`. Any failure (the mailbox gone, a keyword limit) rolls the whole batch
    /// back; the caller then indexes the journaled items unplaced.
    public func appendMessages(_ batch: [BatchMessage], to name: String, of email: String, at time: Date)
        async throws -> [AppendResult]
    {
        let items = batch.compactMap(\.item)
        for item in items where Int64(exactly: item.receipt.envelope.offset) == nil {
            throw CatalogError.locationOutOfRange(item.receipt.envelope)
        }
        let prepared = await Catalog.prepareConcurrently(items)
        return try await pool.write { db in
            var box = try Catalog.mailboxRow(name, of: email, in: db)
            let statements = try IndexStatements(db)
            let drafts = batch.contains { $0.draft != nil }
            if drafts, try !Catalog.isDraftsFolder(box.id, in: db) { throw DraftsFolderChanged(mailbox: name) }
            let user: Int64 = try drafts ? Catalog.userID(email, in: db) : 0
            var results: [AppendResult] = []
            var nextPrepared = 0
            for message in batch {
                try Catalog.requireKeywordRoom(for: message.flags, in: box.id, db)
                let uid: UInt32
                if let item = message.item {
                    try Catalog.index(prepared[nextPrepared], statements: statements, in: db)
                    nextPrepared += 1
                    let offset = Int64(item.receipt.envelope.offset)
                    try Catalog.markRouted(item.receipt.envelope.segment, offset, at: item.envelope.receivedAt, in: db)
                    uid = try Catalog.place(
                        in: box, sha256: message.sha256, size: item.receipt.size,
                        transmittedSize: TransmittedSize.of(item.message.raw), flags: message.flags,
                        internalDate: message.internalDate, segment: Int64(item.receipt.envelope.segment),
                        offset: offset, in: db)
                } else {
                    let raw = message.draft ?? []
                    try db.execute(sql: "INSERT INTO draft (user, sha256, raw, created) VALUES (?, ?, ?, ?)",
                                   arguments: [user, message.sha256, Data(raw), time.timeIntervalSince1970])
                    uid = try Catalog.place(in: box, sha256: message.sha256, size: raw.count,
                                            transmittedSize: TransmittedSize.of(raw), flags: message.flags,
                                            internalDate: message.internalDate, segment: 0,
                                            offset: db.lastInsertedRowID, in: db)
                }
                box = try Catalog.mailboxRow(name, of: email, in: db)  // the next UID
                results.append(AppendResult(uidValidity: UInt32(box.uidValidity), uid: uid, isDraft: message.item == nil))
            }
            return results
        }
    }
}
