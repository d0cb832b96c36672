import Foundation
import GRDB
import StoreModel

/// The messages of a mailbox for IMAP: snapshots, changes since a MODSEQ (RFC 7162), STORE,
/// COPY/MOVE (RFC 4315 COPYUID, RFC 6851) and EXPUNGE (RFC 3501 §6.4.3, RFC 4315 UID EXPUNGE).
/// Every write is one transaction and takes at most one new MODSEQ per mailbox it changes.
/// UID sets are closed ranges; UIDs that do not exist are ignored, as RFC 3501 §6.4.8 asks of UID
/// commands. A session turns `*` into `UInt32.max` (or the largest UID it knows).

extension CatalogMailboxes {
    /// Every message of the mailbox in UID order, with UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ, read in
    /// one transaction (so all of it belongs to one instant): one query for the messages, however many.
    /// With `hidingRestricted`, messages an active restriction covers are left out (owners' views).
    public func snapshot(of name: String, of email: String, hidingRestricted: Bool = false) async throws
        -> MailboxSnapshot
    {
        try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let entries = try Row.fetchAll(db, sql: """
                SELECT \(Catalog.entryColumns) FROM mailbox_message m
                WHERE m.mailbox = ?\(Catalog.visibility(hidingRestricted: hidingRestricted)) ORDER BY m.uid
                """, arguments: [box.id]).map(Catalog.entry)
            return MailboxSnapshot(name: box.name, uidValidity: UInt32(box.uidValidity), uidNext: UInt32(box.uidNext),
                                   highestModSeq: UInt64(box.highestModSeq), specialUse: box.specialUse,
                                   messages: entries)
        }
    }

    /// What changed after `modSeq`: messages placed or re-flagged (MODSEQ above it) and UIDs expunged
    /// (tombstones above it). RFC 7162 §3.1.4 (CHANGEDSINCE), §3.2.5.2 (VANISHED (EARLIER)).
    public func changes(in name: String, of email: String, since modSeq: UInt64, hidingRestricted: Bool = false)
        async throws -> MailboxChanges
    {
        let since = Int64(clamping: modSeq)
        return try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let changed = try Row.fetchAll(db, sql: """
                SELECT \(Catalog.entryColumns) FROM mailbox_message m
                WHERE m.mailbox = ? AND m.modseq > ?\(Catalog.visibility(hidingRestricted: hidingRestricted))
                ORDER BY m.uid
                """, arguments: [box.id, since]).map(Catalog.entry)
            let expunged = try Int64.fetchAll(db, sql: """
                SELECT uid FROM mailbox_expunged WHERE mailbox = ? AND modseq > ? ORDER BY uid
                """, arguments: [box.id, since]).map { UInt32($0) }
            return MailboxChanges(uidValidity: UInt32(box.uidValidity), uidNext: UInt32(box.uidNext),
                                  highestModSeq: UInt64(box.highestModSeq), changed: changed, expunged: expunged)
        }
    }

    /// One placed message, or nil if the UID is not (or no longer) in the mailbox.
    public func message(uid: UInt32, in name: String, of email: String, hidingRestricted: Bool = false) async throws
        -> MailboxEntry?
    {
        try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            return try Row.fetchOne(db, sql: """
                SELECT \(Catalog.entryColumns) FROM mailbox_message m
                WHERE m.mailbox = ? AND m.uid = ?\(Catalog.visibility(hidingRestricted: hidingRestricted))
                """, arguments: [box.id, Int64(uid)]).map(Catalog.entry)
        }
    }

    /// The placed messages among `uids` (one read for a FETCH or SEARCH batch), in UID order; UIDs
    /// not (or no longer) in the mailbox are left out.
    public func messages(uids: [UInt32], in name: String, of email: String, hidingRestricted: Bool = false)
        async throws -> [MailboxEntry]
    {
        let wanted = Array(Set(uids)).sorted()
        guard !wanted.isEmpty else { return [] }
        return try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            var entries: [MailboxEntry] = []
            // Chunks well under SQLite's limit on bound parameters.
            for start in stride(from: 0, to: wanted.count, by: 500) {
                let chunk = wanted[start..<min(start + 500, wanted.count)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let arguments = StatementArguments([box.id] + chunk.map { Int64($0) })
                entries += try Row.fetchAll(db, sql: """
                    SELECT \(Catalog.entryColumns) FROM mailbox_message m
                    WHERE m.mailbox = ? AND m.uid IN (\(marks))\(Catalog.visibility(hidingRestricted: hidingRestricted))
                    ORDER BY m.uid
                    """, arguments: arguments).map(Catalog.entry)
            }
            return entries
        }
    }

    /// STORE / UID STORE (RFC 3501 §6.4.6), committed in transactions of at most
    /// `MailboxLimits.messagesPerTransaction` messages, so that a STORE over a large mailbox never
    /// holds the catalog's writer for long (RFC 3501 asks no atomicity of STORE; each message's
    /// change is atomic). With `unchangedSince` (RFC 7162 §3.1.3), a message whose MODSEQ is above
    /// it is left alone and listed in `failed`. Messages whose flags really change in one batch
    /// share one new MODSEQ; the others keep theirs. New keywords beyond
    /// `MailboxLimits.keywordsPerMailbox` distinct ones in the mailbox are refused before anything
    /// changes (`MailboxError.limit`).
    public func storeFlags(
        _ flags: MessageFlags, mode: FlagStoreMode, uids: [ClosedRange<UInt32>], unchangedSince: UInt64? = nil,
        in name: String, of email: String
    ) async throws -> FlagStoreResult {
        let set = UIDRanges(uids)
        var result = FlagStoreResult(messages: [], failed: [], highestModSeq: 0)
        var next: Int64 = -1
        while true {
            let after = next
            let batch = try await pool.write { db -> (FlagStoreResult, last: Int64?) in
                let box = try Catalog.mailboxRow(name, of: email, in: db)
                guard let bounds = set.bounds else {
                    return (FlagStoreResult(messages: [], failed: [], highestModSeq: UInt64(box.highestModSeq)), nil)
                }
                if after < 0, mode != .remove { try Catalog.requireKeywordRoom(for: flags, in: box.id, db) }
                let rows = try Row.fetchAll(db, sql: """
                    SELECT uid, system_flags, keywords, modseq, internal_date, size, transmitted_size FROM mailbox_message
                    WHERE mailbox = ? AND uid BETWEEN ? AND ? AND uid > ? ORDER BY uid LIMIT ?
                    """, arguments: [box.id, bounds.lowerBound, bounds.upperBound, after, MailboxLimits.messagesPerTransaction])
                let (states, failed) = Self.flagChanges(rows, flags: flags, mode: mode, set: set, unchangedSince: unchangedSince)
                let stored = try Self.writeFlags(states, in: box, db)
                let last: Int64? = rows.count == MailboxLimits.messagesPerTransaction ? rows.last?[0] : nil
                return (FlagStoreResult(messages: stored.states, failed: failed, highestModSeq: stored.highest), last)
            }
            result.messages += batch.0.messages
            result.failed += batch.0.failed
            result.highestModSeq = batch.0.highestModSeq
            guard let last = batch.last else { return result }
            next = last
        }
    }

    /// The new flags of each row in `set` (its state unchanged where nothing changes), and the UIDs
    /// UNCHANGEDSINCE leaves alone.
    private static func flagChanges(_ rows: [Row], flags: MessageFlags, mode: FlagStoreMode, set: UIDRanges,
                                    unchangedSince: UInt64?) -> ([FlagState], [UInt32]) {
        var states: [FlagState] = [], failed: [UInt32] = []
        for row in rows {
            let uid: Int64 = row[0], modSeq: Int64 = row[3]
            guard set.contains(uid) else { continue }
            if let unchangedSince, UInt64(modSeq) > unchangedSince {
                failed.append(UInt32(uid))
                continue
            }
            let old = MessageFlags(systemBits: row[1], storedKeywords: row[2])
            var new = old
            switch mode {
            case .add: new.formUnion(flags)
            case .remove: new.subtract(flags)
            case .replace: new = flags
            }
            let changed = !new.isSameSet(as: old)
            states.append(FlagState(uid: UInt32(uid), flags: changed ? new : old, modSeq: UInt64(modSeq),
                                    changed: changed, internalDate: Date(timeIntervalSince1970: row[4]),
                                    size: row[5], transmittedSize: row[6]))
        }
        return (states, failed)
    }

    /// Writes the changed states under one new MODSEQ; returns them with it, and the mailbox's
    /// highest MODSEQ.
    private static func writeFlags(_ states: [FlagState], in box: MailboxRow, _ db: Database) throws
        -> (states: [FlagState], highest: UInt64)
    {
        var states = states
        var highest = box.highestModSeq
        guard states.contains(where: \.changed) else { return (states, UInt64(highest)) }
        highest = try Catalog.nextModSeq(of: box.id, in: db)
        let update = try db.cachedStatement(sql: """
            UPDATE mailbox_message SET system_flags = ?, keywords = ?, modseq = ? WHERE mailbox = ? AND uid = ?
            """)
        for index in states.indices where states[index].changed {
            let state = states[index]
            try update.execute(arguments: [state.flags.system.rawValue, state.flags.storedKeywords, highest, box.id,
                                           Int64(state.uid)])
            states[index].modSeq = UInt64(highest)
        }
        return (states, UInt64(highest))
    }

    /// COPY (RFC 3501 §6.4.7) or, with `move`, MOVE (RFC 6851 §3.3). Copies keep flags and
    /// INTERNALDATE and get the destination's next UIDs in source UID order. Returns COPYUID data
    /// (RFC 4315 §3); empty lists when no UID of the set exists. A missing destination is
    /// `MailboxError.nonexistent` (TRYCREATE).
    ///
    /// In transactions of at most `MailboxLimits.messagesPerTransaction` messages, each with one
    /// new MODSEQ, so that a long COPY or MOVE never holds the catalog's writer while deliveries
    /// wait. A MOVE batch copies and expunges its messages together: each message is moved or
    /// untouched, never in both mailboxes nor in neither, also when a later batch fails (RFC 6851
    /// §3.3 allows a partial MOVE; it is thrown as `PartialMove`). A COPY that fails after its first batch expunges the copies it
    /// made before rethrowing, restoring the destination (RFC 3501 §6.4.7; the UIDs it used stay
    /// used, as UIDs must).
    ///
    /// `journaled`: drafts leaving the drafts folder, by source UID, already journaled in the archive:
    /// their copies are placed as those archive records (indexed and marked placed in the first
    /// transaction), never as draft-store references.
    public func copyMessages(
        uids: [ClosedRange<UInt32>], from source: String, to destination: String, of email: String,
        move: Bool = false, journaled: [UInt32: IndexItem] = [:]
    ) async throws -> CopyResult {
        let set = UIDRanges(uids)
        let prepared = await Catalog.prepareConcurrently(Array(journaled.values))
        let byEnvelope = Dictionary(prepared.map { ($0.receipt.envelope, $0) }, uniquingKeysWith: { first, _ in first })
        var result: CopyResult?
        var after: Int64 = -1
        while true {
            let batch: (CopyResult, last: Int64?)
            do {
                let first = result == nil, start = after
                batch = try await pool.write { db in
                    try Self.copyBatch(set, after: start, from: source, to: destination, of: email, move: move,
                                          journaled: journaled, indexing: first ? prepared : [],
                                          byEnvelope: byEnvelope, in: db)
                }
            } catch {
                if move, let moved = result, !moved.sourceUIDs.isEmpty { throw PartialMove(moved: moved, cause: error) }
                if !move, let copied = result, !copied.destinationUIDs.isEmpty {
                    try? await pool.write { db in
                        let to = try Catalog.mailboxRow(destination, of: email, in: db)
                        let rows = try Row.fetchAll(db, sql: """
                            SELECT uid, envelope_segment, envelope_offset FROM mailbox_message
                            WHERE mailbox = ? AND uid BETWEEN ? AND ?
                            """, arguments: [to.id, Int64(copied.destinationUIDs.min() ?? 0),
                                             Int64(copied.destinationUIDs.max() ?? 0)])
                        let made = Set(copied.destinationUIDs.map(Int64.init))
                        _ = try Catalog.expunge(rows.filter { made.contains($0[0]) }.map {
                            ($0[0], Catalog.draftID(segment: $0[1], offset: $0[2]))
                        }, from: to.id, in: db)
                    }
                }
                throw error
            }
            if result == nil {
                result = batch.0
            } else {
                result?.sourceUIDs += batch.0.sourceUIDs
                result?.destinationUIDs += batch.0.destinationUIDs
            }
            guard let last = batch.last else { return result ?? batch.0 }
            after = last
        }
    }

    /// A MOVE that failed after some of its batches: those messages are moved (and must be told
    /// and audited as such), the rest untouched; `cause` is why it stopped.
    public struct PartialMove: Error {
        public var moved: CopyResult
        public var cause: any Error
    }

    /// One transaction of `copyMessages`: the messages of `set` above UID `after`, at most
    /// `MailboxLimits.messagesPerTransaction`; the copy data and the last source UID looked at when
    /// more may follow.
    private static func copyBatch(
        _ set: UIDRanges, after: Int64, from source: String, to destination: String, of email: String, move: Bool,
        journaled: [UInt32: IndexItem], indexing prepared: [PreparedDelivery],
        byEnvelope: [RecordLocation: PreparedDelivery], in db: Database
    ) throws -> (CopyResult, last: Int64?) {
        let from = try Catalog.mailboxRow(source, of: email, in: db)
        let to = try Catalog.mailboxRow(destination, of: email, in: db)
        // Every journaled record is indexed, even when another session expunged its draft meanwhile.
        if !prepared.isEmpty { try Catalog.indexJournaled(prepared, statements: try IndexStatements(db), in: db) }
        var result = CopyResult(uidValidity: UInt32(to.uidValidity), sourceUIDs: [], destinationUIDs: [])
        guard let bounds = set.bounds, bounds.upperBound > after else { return (result, nil) }
        let toDrafts = try Catalog.isDraftsFolder(to.id, in: db)
        let limit = MailboxLimits.messagesPerTransaction
        let candidates = try Row.fetchCursor(db, sql: """
            SELECT mm.uid, mm.sha256, mm.size, mm.system_flags, mm.keywords, mm.internal_date, mm.envelope_segment,
                   mm.envelope_offset, mm.transmitted_size, d.kept = 0
            FROM mailbox_message mm LEFT JOIN draft d ON mm.envelope_segment = 0 AND d.id = mm.envelope_offset
            WHERE mm.mailbox = ? AND mm.uid BETWEEN ? AND ? ORDER BY mm.uid
            """, arguments: [from.id, max(bounds.lowerBound, after + 1), bounds.upperBound])
        var rows: [Row] = []
        var last: Int64?
        while rows.count < limit, let row = try candidates.next() {
            last = row[0]
            guard set.contains(row[0]) else { continue }
            // A draft that is not journaled never leaves for another folder: one APPENDed after the
            // caller journaled the others stays behind (no placement without an archive record).
            let isDraft = (row[9] as Bool?) ?? false
            if !isDraft || toDrafts || journaled[UInt32(row[0] as Int64)] != nil { rows.append(row.copy()) }
        }
        let more = rows.count == limit ? last : nil
        guard !rows.isEmpty else { return (result, more) }
        let modSeq = try Catalog.nextModSeq(of: to.id, in: db)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO mailbox_message (mailbox, uid, sha256, size, system_flags, keywords, internal_date,
                envelope_segment, envelope_offset, routed, modseq, transmitted_size)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """)
        var uid = to.uidNext
        for row in rows {
            var segment: Int64 = row[6], offset: Int64 = row[7]
            if let item = journaled[UInt32(row[0] as Int64)], byEnvelope[item.receipt.envelope] != nil,
                let location = Int64(exactly: item.receipt.envelope.offset)
            {
                segment = Int64(item.receipt.envelope.segment)
                offset = location
            }
            try insert.execute(arguments: [
                to.id, uid, row[1] as String, row[2] as Int64, row[3] as Int64, row[4] as String,
                row[5] as Double, segment, offset, modSeq, row[8] as Int64?,
            ])
            result.sourceUIDs.append(UInt32(row[0] as Int64))
            result.destinationUIDs.append(UInt32(uid))
            uid += 1
        }
        try db.execute(sql: "UPDATE mailbox SET uid_next = ? WHERE id = ?", arguments: [uid, to.id])
        if move {
            try Catalog.expunge(rows.map { ($0[0], Catalog.draftID(segment: $0[6], offset: $0[7])) }, from: from.id, in: db)
        }
        return (result, more)
    }

    /// EXPUNGE (RFC 3501 §6.4.3): removes every message flagged `\Deleted`; with `uids`, only those
    /// of them in the set (UID EXPUNGE, RFC 4315 §2.1). Each batch one transaction with one new
    /// MODSEQ, a tombstone per UID. The archive and the search index keep the messages.
    public func expunge(uids: [ClosedRange<UInt32>]? = nil, in name: String, of email: String) async throws
        -> ExpungeResult
    {
        let set = uids.map(UIDRanges.init)
        var result = ExpungeResult(expunged: [], highestModSeq: 0)
        // In transactions of at most `MailboxLimits.messagesPerTransaction` messages, so that a long
        // EXPUNGE never holds the catalog's writer for long; each message goes in exactly one.
        while true {
            let batch = try await pool.write { db -> (ExpungeResult, more: Bool) in
                let box = try Catalog.mailboxRow(name, of: email, in: db)
                if let set, set.bounds == nil {
                    return (ExpungeResult(expunged: [], highestModSeq: UInt64(box.highestModSeq)), false)
                }
                let bounds = set?.bounds ?? 0...Int64(UInt32.max)
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT uid, envelope_segment, envelope_offset FROM mailbox_message
                    WHERE mailbox = ? AND system_flags & ? != 0 AND uid BETWEEN ? AND ? ORDER BY uid
                    """, arguments: [box.id, MessageFlags.System.deleted.rawValue, bounds.lowerBound, bounds.upperBound])
                var chosen: [Row] = []
                while chosen.count < MailboxLimits.messagesPerTransaction, let row = try rows.next() {
                    if set?.contains(row[0]) ?? true { chosen.append(row.copy()) }
                }
                let modSeq = try Catalog.expunge(chosen.map { ($0[0], Catalog.draftID(segment: $0[1], offset: $0[2])) },
                                                 from: box.id, in: db)
                return (ExpungeResult(expunged: chosen.map { UInt32($0[0] as Int64) },
                                      highestModSeq: UInt64(modSeq ?? box.highestModSeq)),
                        chosen.count == MailboxLimits.messagesPerTransaction)
            }
            result.expunged += batch.0.expunged
            result.highestModSeq = batch.0.highestModSeq
            if !batch.more { return result }
        }
    }
}

extension CatalogMailboxes {
    /// The draft-store ids among `ids` that hold drafts (APPENDed into a `\Drafts` mailbox), not
    /// the kept copies an `.archiveOnly` purge left.
    public func drafts(among ids: [Int64]) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            var found: Set<Int64> = []
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min(ids.count, $0 + 500)]) }) {
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                found.formUnion(try Int64.fetchAll(db, sql: "SELECT id FROM draft WHERE kept = 0 AND id IN (\(marks))",
                                                   arguments: StatementArguments(chunk)))
            }
            return found
        }
    }

    /// A draft journaled on its way out of the drafts folder now has an archive record: its
    /// placements in `name` (by UID) are re-pointed from the draft store to that record, and the
    /// record is indexed and marked placed, in one transaction; with `clearDraftsUse`, the mailbox
    /// loses its `\Drafts` attribute in the same transaction (a renamed drafts folder is an
    /// ordinary one) — unless a draft the caller did not journal is still there (APPENDed
    /// meanwhile): then it returns false and the caller journals that one and calls again. UIDs,
    /// flags and MODSEQs stay; the drafts are dropped once nothing names them.
    @discardableResult
    public func archiveDrafts(_ journaled: [UInt32: IndexItem], in name: String, of email: String,
                              clearDraftsUse: Bool) async throws -> Bool {
        let prepared = await Catalog.prepareConcurrently(Array(journaled.values))
        let byEnvelope = Dictionary(prepared.map { ($0.receipt.envelope, $0) }, uniquingKeysWith: { first, _ in first })
        return try await pool.write { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let statements = try IndexStatements(db)
            try Catalog.indexJournaled(prepared, statements: statements, in: db)
            var dropped: [Int64] = []
            var cleared = false
            for (uid, item) in journaled {
                guard let draft = try Int64.fetchOne(db, sql: """
                    SELECT envelope_offset FROM mailbox_message WHERE mailbox = ? AND uid = ? AND envelope_segment = 0
                    """, arguments: [box.id, Int64(uid)]),
                    byEnvelope[item.receipt.envelope] != nil,
                    let offset = Int64(exactly: item.receipt.envelope.offset)
                else { continue }
                try db.execute(sql: """
                    UPDATE mailbox_message SET envelope_segment = ?, envelope_offset = ? WHERE mailbox = ? AND uid = ?
                    """, arguments: [Int64(item.receipt.envelope.segment), offset, box.id, Int64(uid)])
                dropped.append(draft)
            }
            if clearDraftsUse {
                // A draft APPENDed after the caller journaled the others keeps the folder a drafts
                // folder: the caller journals it too and comes back.
                let unjournaled = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM mailbox_message mm JOIN draft d ON d.id = mm.envelope_offset
                    WHERE mm.mailbox = ? AND mm.envelope_segment = 0 AND d.kept = 0
                    """, arguments: [box.id]) ?? 0
                if unjournaled == 0 {
                    try db.execute(sql: "UPDATE mailbox SET special_use = NULL WHERE id = ? AND lower(special_use) = ?",
                                   arguments: [box.id, "\\drafts"])
                    cleared = true
                }
            }
            try Catalog.removeUnusedDrafts(dropped, in: db)
            return cleared
        }
    }
}

extension CatalogMessages {
    /// Indexes records journaled for an IMAP command that then failed (its mailbox vanished: a COPY,
    /// MOVE or RENAME of drafts, an APPEND): they are in the archive, so the catalog lists them,
    /// unplaced, and marks them routed so that no restart places them later.
    public func indexUnplaced(_ items: [IndexItem]) async throws {
        guard !items.isEmpty else { return }
        let prepared = await Catalog.prepareConcurrently(items)
        try await pool.write { db in
            try Catalog.indexJournaled(prepared, statements: try IndexStatements(db), in: db)
        }
    }
}

extension Catalog {
    /// Indexes journaled drafts and marks their records routed (placed by the caller, if at all).
    static func indexJournaled(_ prepared: [PreparedDelivery], statements: IndexStatements, in db: Database) throws {
        for delivery in prepared {
            guard let offset = Int64(exactly: delivery.receipt.envelope.offset) else {
                throw CatalogError.locationOutOfRange(delivery.receipt.envelope)
            }
            try index(delivery, statements: statements, in: db)
            _ = try markRouted(delivery.receipt.envelope.segment, offset, at: delivery.envelope.receivedAt, in: db)
        }
    }
}
