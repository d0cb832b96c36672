import Foundation
import GRDB
import StoreModel

/// APPEND (RFC 3501 §6.3.11, RFC 4315 APPENDUID) and the draft store.
extension Catalog {
    /// Marks a journaled delivery as placed; false when it already was.
    @discardableResult
    static func markRouted(_ segment: UInt32, _ offset: Int64, at time: Date, in db: Database) throws -> Bool {
        try db.execute(sql: "INSERT OR IGNORE INTO routed (envelope_segment, envelope_offset, time) VALUES (?, ?, ?)",
                       arguments: [Int64(segment), offset, time.timeIntervalSince1970])
        return db.changesCount == 1
    }

    /// Inserts one placement with the mailbox's next UID and a new MODSEQ; returns the UID.
    static func place(
        in box: MailboxRow, sha256: String, size: Int, transmittedSize: Int, flags: MessageFlags, internalDate: Date,
        segment: Int64, offset: Int64, in db: Database
    ) throws -> UInt32 {
        let modSeq = try nextModSeq(of: box.id, in: db)
        try db.execute(sql: """
            INSERT INTO mailbox_message (mailbox, uid, sha256, size, system_flags, keywords, internal_date,
                envelope_segment, envelope_offset, routed, modseq, transmitted_size)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """, arguments: [
                box.id, box.uidNext, sha256, size, flags.system.rawValue, flags.storedKeywords,
                internalDate.timeIntervalSince1970, segment, offset, modSeq, transmittedSize,
            ])
        try db.execute(sql: "UPDATE mailbox SET uid_next = uid_next + 1 WHERE id = ?", arguments: [box.id])
        return UInt32(box.uidNext)
    }
}

extension CatalogMailboxes {
    /// Places a message the archive has journaled (source "imap") into a mailbox, and indexes it for
    /// search, in ONE transaction: next UID, the given flags and INTERNALDATE, a new MODSEQ. A missing
    /// mailbox is `MailboxError.nonexistent` (TRYCREATE); the journaled record then stays in the
    /// archive, and `recover()` indexes it. The transaction marks the delivery `routed`, so that
    /// `recover()` places a journaled APPEND whose transaction was lost (`recoverAppend`) exactly once.
    public func appendMessage(_ item: IndexItem, flags: MessageFlags, internalDate: Date, to name: String,
                              of email: String) async throws -> AppendResult {
        guard let offset = Int64(exactly: item.receipt.envelope.offset) else {
            throw CatalogError.locationOutOfRange(item.receipt.envelope)
        }
        let prepared = await Catalog.prepareConcurrently([item])
        return try await pool.write { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            try Catalog.index(prepared[0], statements: try IndexStatements(db), in: db)
            // The `routed` mark tells recovery this journaled APPEND is placed (see `recoverAppend`).
            try Catalog.markRouted(item.receipt.envelope.segment, offset, at: item.envelope.receivedAt, in: db)
            let uid = try Catalog.place(
                in: box, sha256: item.receipt.sha256.lowercased(), size: item.receipt.size,
                transmittedSize: TransmittedSize.of(item.message.raw), flags: flags,
                internalDate: internalDate, segment: Int64(item.receipt.envelope.segment), offset: offset, in: db)
            return AppendResult(uidValidity: UInt32(box.uidValidity), uid: uid, isDraft: false)
        }
    }

    /// Recovery of an APPEND that was journaled but whose catalog transaction was lost (a crash or
    /// power cut between the archive's fsync and SQLite's commit): indexes it and places it into
    /// `name` with no flags and `internalDate`, unless it was placed already (the `routed` mark, in
    /// the same transaction, makes this idempotent). Returns false when there was nothing to do or
    /// the mailbox no longer exists (the message stays archived and indexed).
    public func recoverAppend(_ item: IndexItem, internalDate: Date, to name: String, of email: String)
        async throws -> Bool
    {
        guard let offset = Int64(exactly: item.receipt.envelope.offset) else {
            throw CatalogError.locationOutOfRange(item.receipt.envelope)
        }
        let prepared = await Catalog.prepareConcurrently([item])
        return try await pool.write { db in
            try Catalog.index(prepared[0], statements: try IndexStatements(db), in: db)
            guard try Catalog.markRouted(item.receipt.envelope.segment, offset, at: item.envelope.receivedAt, in: db) else { return false }
            guard let box = try? Catalog.mailboxRow(name, of: email, in: db) else { return false }
            _ = try Catalog.place(
                in: box, sha256: item.receipt.sha256.lowercased(), size: item.receipt.size,
                transmittedSize: TransmittedSize.of(item.message.raw), flags: MessageFlags(),
                internalDate: internalDate, segment: Int64(item.receipt.envelope.segment), offset: offset, in: db)
            return true
        }
    }

    /// Places a draft: the bytes go into the catalog's `draft` table, never into the archive, and
    /// are not indexed for search. The placement names the draft as envelope segment 0.
    public func appendDraft(_ raw: [UInt8], sha256: String, flags: MessageFlags, internalDate: Date,
                            to name: String, of email: String, at time: Date) async throws -> AppendResult {
        try await pool.write { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            // Checked inside the transaction: a RENAME may have made it an ordinary folder meanwhile.
            guard try Catalog.isDraftsFolder(box.id, in: db) else { throw DraftsFolderChanged(mailbox: name) }
            let user = try Catalog.userID(email, in: db)
            try db.execute(sql: "INSERT INTO draft (user, sha256, raw, created) VALUES (?, ?, ?, ?)",
                           arguments: [user, sha256.lowercased(), Data(raw), time.timeIntervalSince1970])
            let uid = try Catalog.place(in: box, sha256: sha256.lowercased(), size: raw.count,
                                     transmittedSize: TransmittedSize.of(raw), flags: flags,
                                     internalDate: internalDate, segment: 0, offset: db.lastInsertedRowID, in: db)
            return AppendResult(uidValidity: UInt32(box.uidValidity), uid: uid, isDraft: true)
        }
    }

    /// The bytes of a draft of `email`'s, or nil (another user's draft is nil too).
    public func draftBytes(id: Int64, of email: String) async throws -> [UInt8]? {
        try await pool.read { db in
            try Data.fetchOne(db, sql: """
                SELECT d.raw FROM draft d JOIN user u ON u.id = d.user WHERE d.id = ? AND u.email = ?
                """, arguments: [id, email]).map { [UInt8]($0) }
        }
    }

    /// How many drafts the store holds for `email` (for tests and `tresor` diagnostics).
    public func draftCount(of email: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM draft d JOIN user u ON u.id = d.user WHERE u.email = ?
                """, arguments: [email]) ?? 0
        }
    }
}

/// The mailbox stopped being the drafts folder (or, for `archiveDrafts`, gained a draft) between
/// the caller's look and its transaction; the caller goes the archive's way or tries again.
public struct DraftsFolderChanged: Error, Sendable, Hashable {
    public var mailbox: String
}

extension Catalog {
    /// Whether mailbox `id` has SPECIAL-USE `\Drafts`.
    static func isDraftsFolder(_ id: Int64, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT lower(coalesce(special_use, '')) = '\\drafts' FROM mailbox WHERE id = ?",
                          arguments: [id]) ?? false
    }
}
