import Foundation
import GRDB
import QueryLanguage
import StoreModel

extension Catalog {
    /// Matches from which a limited search walks the date index instead of sorting the matches.
    static let broadQueryThreshold = 1_000
}

extension CatalogMessages {
    /// Messages matching `query`, newest first: by message date (the archive time where the
    /// message has no Date header), then archive time. `limit: nil` returns all.
    /// With `hidingRestricted`, messages an active restriction of processing covers are left out.
    public func search(_ query: SearchQuery, limit: Int? = nil, offset: Int = 0, hidingRestricted: Bool = false)
        async throws -> [SearchHit]
    {
        let condition = Catalog.searchCondition(query, hidingRestricted: hidingRestricted)
        return try await pool.read { db in
            // Plan choice. A selective query is cheapest as "look up the matching ids, sort them";
            // a broad one (say, a word in every message) as "walk the date index newest first and
            // stop after one page". SQLite cannot know how many rows an FTS5 MATCH returns, so
            // count up to a threshold first (cheap: it stops there) and force the index when broad.
            var broad = false
            if let limit {
                let threshold = Swift.max(Catalog.broadQueryThreshold, (limit + Swift.max(0, offset)) * 20)
                let matches = try Int.fetchOne(db, SQLRequest(literal: """
                    SELECT COUNT(*) FROM (SELECT 1 FROM message m WHERE \(condition) LIMIT \(threshold))
                    """)) ?? 0
                broad = matches >= threshold
            }
            let source: SQL = broad ? "message m INDEXED BY message_order" : "message m"
            // The page is chosen first; the per-hit subqueries then run for that page only.
            let sql: SQL = """
                SELECT m.sha256, m.date, m.from_list, m.to_list, m.cc_list, m.subject, m.message_id, m.size,
                    m.attachments, m.body_segment, m.body_offset, m.archived_at,
                    (SELECT d.direction FROM delivery d WHERE d.message = m.id ORDER BY d.received_at, d.id LIMIT 1),
                    (SELECT d.source FROM delivery d WHERE d.message = m.id ORDER BY d.received_at, d.id LIMIT 1),
                    (SELECT COUNT(*) FROM delivery d WHERE d.message = m.id), m.received_at,
                    (SELECT d.received_source FROM delivery d WHERE d.message = m.id
                     ORDER BY d.received_at DESC, d.id DESC LIMIT 1)
                FROM (
                    SELECT m.id FROM \(source) WHERE \(condition)
                    ORDER BY m.sort_date DESC, m.archived_at DESC, m.id DESC
                    LIMIT \(limit ?? -1) OFFSET \(Swift.max(0, offset))
                ) AS page JOIN message m ON m.id = page.id
                ORDER BY m.sort_date DESC, m.archived_at DESC, m.id DESC
                """
            return try Row.fetchAll(db, SQLRequest(literal: sql)).map { row in
                SearchHit(
                    id: row[0], date: (row[1] as Double?).map(Date.init(timeIntervalSince1970:)),
                    from: Catalog.lines(row[2]), to: Catalog.lines(row[3]), cc: Catalog.lines(row[4]), subject: row[5],
                    messageID: row[6], size: row[7], attachments: Catalog.lines(row[8]),
                    direction: Direction(rawValue: row[12] ?? "") ?? .imported, source: row[13] ?? "",
                    bodyLocation: RecordLocation(segment: UInt32(row[9] as Int64), offset: UInt64(row[10] as Int64)),
                    archivedAt: Date(timeIntervalSince1970: row[11]),
                    receivedAt: (row[15] as Double?).map(Date.init(timeIntervalSince1970:)),
                    receivedFrom: (row[16] as String?).flatMap(ReceivedTimeSource.init(rawValue:)) ?? .archive,
                    deliveries: row[14])
            }
        }
    }

    /// How many messages match `query`.
    public func count(_ query: SearchQuery, hidingRestricted: Bool = false) async throws -> Int {
        let condition = Catalog.searchCondition(query, hidingRestricted: hidingRestricted)
        return try await pool.read { db in
            try Int.fetchOne(db, SQLRequest(literal: "SELECT COUNT(*) FROM message m WHERE \(condition)")) ?? 0
        }
    }

    /// One message by its SHA-256 in hex, or a unique prefix of at least 8 digits.
    /// Nil when none matches; `CatalogError.ambiguousMessageID` when several do.
    public func message(id: String) async throws -> CatalogMessage? {
        let prefix = id.trimmingWhitespace().lowercased()
        guard (8...64).contains(prefix.count), prefix.allSatisfy({ $0.isHexDigit && $0.isASCII }) else {
            throw CatalogError.invalidMessageID(id)
        }
        return try await pool.read { db in
            // Hex digits sort below "g", so [prefix, prefix + "g") is exactly the ids with that prefix.
            let rows = try Row.fetchAll(
                db,
                SQLRequest(literal: """
                    SELECT id, sha256, date, subject, message_id, from_list, sender_list, reply_to_list, to_list,
                        cc_list, bcc_list, size, has_attachments, attachments, body_segment, body_offset, archived_at
                    FROM message WHERE sha256 >= \(prefix) AND sha256 < \(prefix + "g") LIMIT 2
                    """))
            guard let row = rows.first else { return nil }
            guard rows.count == 1 else { throw CatalogError.ambiguousMessageID(id) }
            let rowID: Int64 = row[0]
            let deliveries = try Row.fetchAll(
                db,
                SQLRequest(literal: """
                    SELECT envelope_segment, envelope_offset, mail_from, recipients, received_at, client_address,
                        helo, authenticated_user, direction, source, source_detail, received_source, archived_at
                    FROM delivery WHERE message = \(rowID) ORDER BY received_at, id
                    """)
            ).map { d in
                let floors = try Row.fetchAll(db, sql: """
                    SELECT policy, policy_hash, until FROM retention_floor
                    WHERE envelope_segment = ? AND envelope_offset = ? ORDER BY until, policy
                    """, arguments: [d[0] as Int64, d[1] as Int64]).map { f in
                    RetentionFloor(policy: f[0], policyHash: f[1], until: Date(timeIntervalSince1970: f[2]))
                }
                return CatalogDelivery(
                    envelopeLocation: RecordLocation(segment: UInt32(d[0] as Int64), offset: UInt64(d[1] as Int64)),
                    envelope: Envelope(
                        mailFrom: d[2], recipients: Catalog.lines(d[3]), receivedAt: Date(timeIntervalSince1970: d[4]),
                        clientAddress: d[5], helo: d[6], authenticatedUser: d[7],
                        direction: Direction(rawValue: d[8]) ?? .imported, source: MessageSource(d[9] as String),
                        sourceDetail: d[10], receivedFrom: (d[11] as String?).flatMap(ReceivedTimeSource.init(rawValue:)),
                        archivedAt: (d[12] as Double?).map(Date.init(timeIntervalSince1970:)),
                        retentionFloors: floors.isEmpty ? nil : floors))
            }
            return CatalogMessage(
                id: row[1], date: (row[2] as Double?).map(Date.init(timeIntervalSince1970:)), subject: row[3],
                messageID: row[4], from: Catalog.lines(row[5]), sender: Catalog.lines(row[6]), replyTo: Catalog.lines(row[7]),
                to: Catalog.lines(row[8]), cc: Catalog.lines(row[9]), bcc: Catalog.lines(row[10]), size: row[11],
                hasAttachments: row[12], attachments: Catalog.lines(row[13]),
                bodyLocation: RecordLocation(segment: UInt32(row[14] as Int64), offset: UInt64(row[15] as Int64)),
                archivedAt: Date(timeIntervalSince1970: row[16]), deliveries: deliveries)
        }
    }
}

extension Catalog {
    /// The query's condition over `message m`, and with `hidingRestricted` none of the messages an
    /// active restriction covers (one primary-key lookup per candidate).
    static func searchCondition(_ query: SearchQuery, hidingRestricted: Bool) -> SQL {
        let condition = QueryCompiler.condition(query.root)
        guard hidingRestricted else { return condition }
        return "(" + condition + ") AND NOT EXISTS (SELECT 1 FROM restricted_message r WHERE r.sha256 = m.sha256)"
    }
}
