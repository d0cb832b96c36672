import Foundation
import GRDB
import StoreModel

/// A purge's row (schema "v7"): its progress through the phases and what it removed.
public struct PurgeProgress: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        /// The row exists; the archive record may or may not (a crash may have come first).
        case journaling
        /// The purge record is durable and the catalog's rows are gone; compaction may be pending.
        case journaled
        /// Every segment it names is compacted.
        case done
    }

    public var id: String
    public var phase: Phase
    public var created: Date
    public var actor: String
    public var reason: String
    public var items: [PurgeItem]
    /// The newest archive segment when the purge began: its record, if any, is there or later.
    public var fromSegment: UInt32
    public var record: RecordLocation?
    public var messages: Int
    public var deliveries: Int
    public var placements: Int
    public var bytesReclaimed: Int64
    public var segmentsRewritten: Int
    public var finished: Date?
}

public enum PurgeCatalogError: Error, Sendable, Hashable {
    case unknownPurge(String)
}

/// What the purge's catalog transaction removed.
public struct PurgeApplication: Sendable, Hashable {
    public var messages = 0
    public var deliveries = 0
    public var placementsRemoved = 0
    /// The mailboxes that lost placements: (folded user, mailbox name), for the change feed.
    public var expungedMailboxes: [UserMailbox] = []
    /// `.archiveOnly` messages still placed with an archive body: their bytes must be kept first.
    public var needsKeptCopies: [String] = []
    /// Messages leaving the catalog whose full-text documents are still there: the index is
    /// contentless, so the caller removes them with the archived text (`removeFullText`) first.
    public var needsFullTextRemoval: [IndexedBody] = []
    public var alreadyApplied = false
}

extension CatalogGovernance {
    fileprivate func purges(where condition: String) async throws -> [PurgeProgress] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, phase, created, actor, reason, items, from_segment, record_segment, record_offset, messages,
                       deliveries, placements, bytes_reclaimed, segments_rewritten, finished
                FROM purge WHERE \(condition) ORDER BY created, id
                """).map(Self.purgeProgress)
        }
    }

    fileprivate static func purgeProgress(_ row: Row) throws -> PurgeProgress {
        let segment: Int64? = row[7], offset: Int64? = row[8], finished: Double? = row[14]
        return PurgeProgress(
            id: row[0], phase: PurgeProgress.Phase(rawValue: row[1]) ?? .journaling,
            created: Date(timeIntervalSince1970: row[2]), actor: row[3], reason: row[4],
            items: try JSONDecoder().decode([PurgeItem].self, from: Data((row[5] as String).utf8)),
            fromSegment: UInt32(row[6] as Int64),
            record: segment.flatMap { s in offset.map { RecordLocation(segment: UInt32(s), offset: UInt64($0)) } },
            messages: row[9], deliveries: row[10], placements: row[11], bytesReclaimed: row[12],
            segmentsRewritten: row[13], finished: finished.map(Date.init(timeIntervalSince1970:)))
    }

    fileprivate static func archivePlaced(_ sha256s: [String], in db: Database) throws -> [String] {
        let find = try db.cachedStatement(sql: """
            SELECT 1 FROM mailbox_message WHERE sha256 = ? AND envelope_segment != 0 LIMIT 1
            """)
        return try sha256s.filter { try Bool.fetchOne(find, arguments: [$0]) ?? false }
    }
}

extension CatalogGovernance {
    /// Step 1 of a purge: its row, before anything else happens.
    public func beginPurge(id: String, items: [PurgeItem], actor: String, reason: String, fromSegment: UInt32,
                           at time: Date) async throws {
        let encoded = String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO purge (id, phase, created, actor, reason, items, from_segment) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, PurgeProgress.Phase.journaling.rawValue, time.timeIntervalSince1970, actor, reason,
                                 encoded, Int64(fromSegment)])
        }
    }

    /// A purge whose archive record a crash prevented: nothing was removed, the row goes.
    public func abandonPurge(id: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM purge WHERE id = ? AND phase = ?",
                           arguments: [id, PurgeProgress.Phase.journaling.rawValue])
        }
    }

    /// Purges not yet done, oldest first.
    public func unfinishedPurges() async throws -> [PurgeProgress] {
        try await purges(where: "phase != 'done'")
    }

    /// Every purge, oldest first.
    public func purges() async throws -> [PurgeProgress] {
        try await purges(where: "1")
    }

    /// The `.archiveOnly` messages among `sha256s` that still have placements naming an archive
    /// body (not yet kept as copies).
    public func archivePlacedMessages(among sha256s: [String]) async throws -> [String] {
        try await pool.read { db in try CatalogGovernance.archivePlaced(sha256s, in: db) }
    }

    /// `.archiveOnly`: the users keep their mailbox copies. Every placement of these messages that
    /// names an archive body is re-pointed, in one transaction, to a draft-store row of its user's
    /// holding `bytes` (one row per user and message; segment 0 placements, see schema "v4"). UIDs,
    /// flags and MODSEQs stay: the message a client sees does not change. Returns how many
    /// placements were re-pointed. Safe to repeat.
    @discardableResult
    public func keepMailboxCopies(_ bytes: [String: [UInt8]], at time: Date) async throws -> Int {
        try await pool.write { db in
            let placements = try db.cachedStatement(sql: """
                SELECT m.mailbox, m.uid, b.user FROM mailbox_message m JOIN mailbox b ON b.id = m.mailbox
                WHERE m.sha256 = ? AND m.envelope_segment != 0
                """)
            let insert = try db.cachedStatement(sql: "INSERT INTO draft (user, sha256, raw, created, kept) VALUES (?, ?, ?, ?, 1)")
            let repoint = try db.cachedStatement(sql: """
                UPDATE mailbox_message SET envelope_segment = 0, envelope_offset = ?, routed = 0 WHERE mailbox = ? AND uid = ?
                """)
            var count = 0
            for (sha256, raw) in bytes {
                var copies: [Int64: Int64] = [:]
                for row in try Row.fetchAll(placements, arguments: [sha256]) {
                    let user: Int64 = row[2]
                    let copy: Int64
                    if let known = copies[user] {
                        copy = known
                    } else {
                        try insert.execute(arguments: [user, sha256, Data(raw), time.timeIntervalSince1970])
                        copy = db.lastInsertedRowID
                        copies[user] = copy
                    }
                    try repoint.execute(arguments: [copy, row[0] as Int64, row[1] as Int64])
                    count += 1
                }
            }
            return count
        }
    }

    /// A kept copy of a message (a draft-store row an `.archiveOnly` purge made, never a user's
    /// draft): what readers that name messages by SHA-256 fall back to once the archive copy is gone.
    public func keptCopy(sha256: String) async throws -> [UInt8]? {
        try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT raw FROM draft WHERE sha256 = ? AND kept = 1 LIMIT 1", arguments: [sha256.lowercased()])
                .map { [UInt8]($0) }
        }
    }

    /// Step 3 of a purge, ONE transaction: removes the deliveries whose envelope records the purge
    /// removes (`removed`), their outbound queue rows and `routed` marks, the placements of
    /// `.archiveAndMailboxes` messages naming those envelopes (a new MODSEQ and tombstones per
    /// mailbox, like EXPUNGE, RFC 7162 §3.2.5.2), and each message row (with its addresses and
    /// full-text row) that has no delivery left. A message delivered again after the purge record
    /// keeps its row, pointed at its new body (`newBodies`). Then marks the purge `journaled` at
    /// `record`. If an `.archiveOnly` message still has archive placements, nothing changes and
    /// they are returned in `needsKeptCopies`. Running it again after it committed changes nothing.
    public func applyPurge(id: String, record: RecordLocation, removed: Set<RecordLocation>, items: [PurgeItem],
                           newBodies: [String: RecordLocation]) async throws -> PurgeApplication {
        try await pool.write { db in
            var result = PurgeApplication()
            guard let phase = try String.fetchOne(db, sql: "SELECT phase FROM purge WHERE id = ?", arguments: [id]) else {
                throw PurgeCatalogError.unknownPurge(id)
            }
            guard phase == PurgeProgress.Phase.journaling.rawValue else {
                result.alreadyApplied = true
                return result
            }
            let archiveOnly = items.filter { $0.scope == .archiveOnly }.map(\.sha256)
            result.needsKeptCopies = try CatalogGovernance.archivePlaced(archiveOnly, in: db)
            guard result.needsKeptCopies.isEmpty else { return result }
            result.needsFullTextRemoval = try Catalog.documentsLeaving(Set(items.map(\.sha256)), removed: removed, in: db)
            guard result.needsFullTextRemoval.isEmpty else { return result }

            let placements = try db.cachedStatement(sql: """
                SELECT m.mailbox, m.uid, m.envelope_segment, m.envelope_offset, u.email, b.name
                FROM mailbox_message m JOIN mailbox b ON b.id = m.mailbox JOIN user u ON u.id = b.user
                WHERE m.sha256 = ? AND m.envelope_segment != 0
                """)
            var expunge: [Int64: [(uid: Int64, draft: Int64?)]] = [:]
            var mailboxes: [Int64: UserMailbox] = [:]
            for item in items where item.scope != .archiveOnly {
                for row in try Row.fetchAll(placements, arguments: [item.sha256]) {
                    let location = RecordLocation(segment: UInt32(row[2] as Int64), offset: UInt64(row[3] as Int64))
                    guard removed.contains(location) else { continue }
                    let mailbox: Int64 = row[0]
                    expunge[mailbox, default: []].append((row[1], nil))
                    mailboxes[mailbox] = UserMailbox(user: row[4], mailbox: row[5])
                }
            }
            for (mailbox, rows) in expunge.sorted(by: { $0.key < $1.key }) {
                try Catalog.expunge(rows, from: mailbox, in: db)
                result.placementsRemoved += rows.count
            }
            result.expungedMailboxes = expunge.keys.sorted().compactMap { mailboxes[$0] }

            let findMessage = try db.cachedStatement(sql: "SELECT id FROM message WHERE sha256 = ?")
            let deliveries = try db.cachedStatement(sql: """
                SELECT id, envelope_segment, envelope_offset FROM delivery WHERE message = ?
                """)
            let deleteDelivery = try db.cachedStatement(sql: "DELETE FROM delivery WHERE id = ?")
            for sha256 in Set(items.map(\.sha256)).sorted() {
                guard let message = try Int64.fetchOne(findMessage, arguments: [sha256]) else { continue }
                var remaining = 0
                for row in try Row.fetchAll(deliveries, arguments: [message]) {
                    let location = RecordLocation(segment: UInt32(row[1] as Int64), offset: UInt64(row[2] as Int64))
                    if removed.contains(location) {
                        try deleteDelivery.execute(arguments: [row[0] as Int64])
                        result.deliveries += 1
                    } else {
                        remaining += 1
                    }
                }
                if remaining == 0 {
                    try db.execute(sql: "DELETE FROM address WHERE message = ?", arguments: [message])
                    try db.execute(sql: "DELETE FROM message WHERE id = ?", arguments: [message])
                    result.messages += 1
                } else if let body = newBodies[sha256], let offset = Int64(exactly: body.offset) {
                    try db.execute(sql: "UPDATE message SET body_segment = ?, body_offset = ? WHERE id = ?",
                                   arguments: [Int64(body.segment), offset, message])
                }
            }
            let queue = try db.cachedStatement(sql: """
                DELETE FROM outbound_queue WHERE envelope_segment = ? AND envelope_offset = ?
                """)
            let routed = try db.cachedStatement(sql: "DELETE FROM routed WHERE envelope_segment = ? AND envelope_offset = ?")
            for location in removed {
                guard let offset = Int64(exactly: location.offset) else { continue }
                try queue.execute(arguments: [Int64(location.segment), offset])
                try routed.execute(arguments: [Int64(location.segment), offset])
            }
            try db.execute(sql: """
                UPDATE purge SET phase = ?, record_segment = ?, record_offset = ?, messages = ?, deliveries = ?,
                    placements = ?
                WHERE id = ?
                """, arguments: [PurgeProgress.Phase.journaled.rawValue, Int64(record.segment), Int64(record.offset),
                                 result.messages, result.deliveries, result.placementsRemoved, id])
            return result
        }
    }

    /// After a purge's catalog transaction: the full-text index is merged so that no segment of it
    /// keeps a purged message's terms (FTS5 only marks deleted rows until its segments are merged),
    /// and the WAL is checkpointed and truncated so that no old page image of the purged rows stays
    /// in it. Best effort: a reader holding an old snapshot can keep the WAL from truncating, which
    /// the next purge (or the next checkpoint) completes; returns whether it truncated.
    @discardableResult
    public func scrubAfterPurge() async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO message_fts(message_fts) VALUES('optimize')")
        }
        return try await pool.writeWithoutTransaction { db in
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return (row?[0] as Int64?) == 0
        }
    }

    /// Step 5 of a purge: every segment is compacted. Counted once (a second process finishing
    /// the same purge changes nothing).
    public func finishPurge(id: String, bytesReclaimed: Int64, segmentsRewritten: Int, at time: Date)
        async throws
    {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE purge SET phase = ?, bytes_reclaimed = bytes_reclaimed + ?,
                    segments_rewritten = segments_rewritten + ?, finished = ?
                WHERE id = ? AND phase != ?
                """, arguments: [PurgeProgress.Phase.done.rawValue, bytesReclaimed, segmentsRewritten,
                                 time.timeIntervalSince1970, id, PurgeProgress.Phase.done.rawValue])
        }
    }
}

extension Catalog {
    /// The messages among `sha256s` whose every delivery is in `removed` (so the purge deletes their
    /// rows) and that still have a full-text document, with where their bodies lie.
    static func documentsLeaving(_ sha256s: Set<String>, removed: Set<RecordLocation>, in db: Database) throws
        -> [IndexedBody]
    {
        let fullText = try FullTextStatements(db)
        let findMessage = try db.cachedStatement(sql: "SELECT id, body_segment, body_offset FROM message WHERE sha256 = ?")
        let deliveries = try db.cachedStatement(sql: "SELECT envelope_segment, envelope_offset FROM delivery WHERE message = ?")
        var leaving: [IndexedBody] = []
        for sha256 in sha256s.sorted() {
            guard let row = try Row.fetchOne(findMessage, arguments: [sha256]) else { continue }
            let message: Int64 = row[0]
            guard try fullText.hasDocument(message) else { continue }
            let stays = try Row.fetchAll(deliveries, arguments: [message]).contains { delivery in
                !removed.contains(RecordLocation(segment: UInt32(delivery[0] as Int64), offset: UInt64(delivery[1] as Int64)))
            }
            if !stays {
                leaving.append(IndexedBody(row: message, sha256: sha256,
                                           body: RecordLocation(segment: UInt32(row[1] as Int64), offset: UInt64(row[2] as Int64))))
            }
        }
        return leaving
    }
}
