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
    public func snapshot(of name: String, of email: String) async throws -> MailboxSnapshot {
        try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let entries = try Row.fetchAll(db, sql: """
                SELECT \(Catalog.entryColumns) FROM mailbox_message m WHERE m.mailbox = ? ORDER BY m.uid
                """, arguments: [box.id]).map(Catalog.entry)
            return MailboxSnapshot(name: box.name, uidValidity: UInt32(box.uidValidity), uidNext: UInt32(box.uidNext),
                                   highestModSeq: UInt64(box.highestModSeq), specialUse: box.specialUse,
                                   messages: entries)
        }
    }

    /// What changed after `modSeq`: messages placed or re-flagged (MODSEQ above it) and UIDs expunged
    /// (tombstones above it). RFC 7162 §3.1.4 (CHANGEDSINCE), §3.2.5.2 (VANISHED (EARLIER)).
    public func changes(in name: String, of email: String, since modSeq: UInt64) async throws -> MailboxChanges {
        let since = Int64(clamping: modSeq)
        return try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            let changed = try Row.fetchAll(db, sql: """
                SELECT \(Catalog.entryColumns) FROM mailbox_message m WHERE m.mailbox = ? AND m.modseq > ? ORDER BY m.uid
                """, arguments: [box.id, since]).map(Catalog.entry)
            let expunged = try Int64.fetchAll(db, sql: """
                SELECT uid FROM mailbox_expunged WHERE mailbox = ? AND modseq > ? ORDER BY uid
                """, arguments: [box.id, since]).map { UInt32($0) }
            return MailboxChanges(uidValidity: UInt32(box.uidValidity), uidNext: UInt32(box.uidNext),
                                  highestModSeq: UInt64(box.highestModSeq), changed: changed, expunged: expunged)
        }
    }

    /// One placed message, or nil if the UID is not (or no longer) in the mailbox.
    public func message(uid: UInt32, in name: String, of email: String) async throws -> MailboxEntry? {
        try await pool.read { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            return try Row.fetchOne(db, sql: """
                SELECT \(Catalog.entryColumns) FROM mailbox_message m WHERE m.mailbox = ? AND m.uid = ?
                """, arguments: [box.id, Int64(uid)]).map(Catalog.entry)
        }
    }

    /// The placed messages among `uids` (one read for a FETCH or SEARCH batch), in UID order; UIDs
    /// not (or no longer) in the mailbox are left out.
    public func messages(uids: [UInt32], in name: String, of email: String) async throws -> [MailboxEntry] {
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
                    SELECT \(Catalog.entryColumns) FROM mailbox_message m WHERE m.mailbox = ? AND m.uid IN (\(marks))
                    ORDER BY m.uid
                    """, arguments: arguments).map(Catalog.entry)
            }
            return entries
        }
    }

    /// STORE / UID STORE (RFC 3501 §6.4.6) in one transaction. With `unchangedSince` (RFC 7162 §3.1.3),
    /// a message whose MODSEQ is above it is left alone and listed in `failed`. Messages whose flags
    /// really change share one new MODSEQ; the others keep theirs.
    public func storeFlags(
        _ flags: MessageFlags, mode: FlagStoreMode, uids: [ClosedRange<UInt32>], unchangedSince: UInt64? = nil,
        in name: String, of email: String
    ) async throws -> FlagStoreResult {
        let set = UIDRanges(uids)
        return try await pool.write { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            guard let bounds = set.bounds else {
                return FlagStoreResult(messages: [], failed: [], highestModSeq: UInt64(box.highestModSeq))
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT uid, system_flags, keywords, modseq, internal_date, size, transmitted_size FROM mailbox_message
                WHERE mailbox = ? AND uid BETWEEN ? AND ? ORDER BY uid
                """, arguments: [box.id, bounds.lowerBound, bounds.upperBound])
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
            var highest = box.highestModSeq
            if states.contains(where: \.changed) {
                highest = try Catalog.nextModSeq(of: box.id, in: db)
                let update = try db.cachedStatement(sql: """
                    UPDATE mailbox_message SET system_flags = ?, keywords = ?, modseq = ? WHERE mailbox = ? AND uid = ?
                    """)
                for index in states.indices where states[index].changed {
                    let state = states[index]
                    try update.execute(arguments: [
                        state.flags.system.rawValue, state.flags.storedKeywords, highest, box.id, Int64(state.uid),
                    ])
                    states[index].modSeq = UInt64(highest)
                }
            }
            return FlagStoreResult(messages: states, failed: failed, highestModSeq: UInt64(highest))
        }
    }

    /// COPY (RFC 3501 §6.4.7) or, with `move`, MOVE (RFC 6851 §3.3: copy, then expunge the sources, in
    /// ONE transaction). Copies keep flags and INTERNALDATE and get the destination's next UIDs in
    /// source UID order under one new MODSEQ. Returns COPYUID data (RFC 4315 §3); empty lists when no
    /// UID of the set exists. A missing destination is `MailboxError.nonexistent` (TRYCREATE).
    public func copyMessages(
        uids: [ClosedRange<UInt32>], from source: String, to destination: String, of email: String,
        move: Bool = false
    ) async throws -> CopyResult {
        let set = UIDRanges(uids)
        return try await pool.write { db in
            let from = try Catalog.mailboxRow(source, of: email, in: db)
            let to = try Catalog.mailboxRow(destination, of: email, in: db)
            var result = CopyResult(uidValidity: UInt32(to.uidValidity), sourceUIDs: [], destinationUIDs: [])
            guard let bounds = set.bounds else { return result }
            let rows = try Row.fetchAll(db, sql: """
                SELECT uid, sha256, size, system_flags, keywords, internal_date, envelope_segment, envelope_offset,
                       transmitted_size
                FROM mailbox_message WHERE mailbox = ? AND uid BETWEEN ? AND ? ORDER BY uid
                """, arguments: [from.id, bounds.lowerBound, bounds.upperBound]).filter { set.contains($0[0]) }
            guard !rows.isEmpty else { return result }
            let modSeq = try Catalog.nextModSeq(of: to.id, in: db)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO mailbox_message (mailbox, uid, sha256, size, system_flags, keywords, internal_date,
                    envelope_segment, envelope_offset, routed, modseq, transmitted_size)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                """)
            var uid = to.uidNext
            for row in rows {
                try insert.execute(arguments: [
                    to.id, uid, row[1] as String, row[2] as Int64, row[3] as Int64, row[4] as String,
                    row[5] as Double, row[6] as Int64, row[7] as Int64, modSeq, row[8] as Int64?,
                ])
                result.sourceUIDs.append(UInt32(row[0] as Int64))
                result.destinationUIDs.append(UInt32(uid))
                uid += 1
            }
            try db.execute(sql: "UPDATE mailbox SET uid_next = ? WHERE id = ?", arguments: [uid, to.id])
            if move {
                try Catalog.expunge(rows.map { ($0[0], Catalog.draftID(segment: $0[6], offset: $0[7])) }, from: from.id, in: db)
            }
            return result
        }
    }

    /// EXPUNGE (RFC 3501 §6.4.3): removes every message flagged `\Deleted`; with `uids`, only those
    /// of them in the set (UID EXPUNGE, RFC 4315 §2.1). One transaction, one new MODSEQ, a tombstone
    /// per UID. The archive and the search index keep the messages.
    public func expunge(uids: [ClosedRange<UInt32>]? = nil, in name: String, of email: String) async throws
        -> ExpungeResult
    {
        let set = uids.map(UIDRanges.init)
        return try await pool.write { db in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            if let set, set.bounds == nil { return ExpungeResult(expunged: [], highestModSeq: UInt64(box.highestModSeq)) }
            let bounds = set?.bounds ?? 0...Int64(UInt32.max)
            let rows = try Row.fetchAll(db, sql: """
                SELECT uid, envelope_segment, envelope_offset FROM mailbox_message
                WHERE mailbox = ? AND system_flags & ? != 0 AND uid BETWEEN ? AND ? ORDER BY uid
                """, arguments: [box.id, MessageFlags.System.deleted.rawValue, bounds.lowerBound, bounds.upperBound])
                .filter { set?.contains($0[0]) ?? true }
            let modSeq = try Catalog.expunge(rows.map { ($0[0], Catalog.draftID(segment: $0[1], offset: $0[2])) },
                                          from: box.id, in: db)
            return ExpungeResult(expunged: rows.map { UInt32($0[0] as Int64) },
                                 highestModSeq: UInt64(modSeq ?? box.highestModSeq))
        }
    }
}
