import ArchiveStore
import Foundation
import GRDB

/// Where a journaled delivery goes: the local users whose INBOX receives it and the remote
/// recipients to queue. Both computed from the envelope's recipients (aliases expanded) before
/// the write transaction.
public struct Route: Sendable, Hashable {
    /// Canonical (folded) user emails; each gets one placement however often it is named.
    public var localUsers: [String]
    /// Remote forward-paths, queued once each.
    public var remoteRecipients: [String]

    public init(localUsers: [String], remoteRecipients: [String]) {
        self.localUsers = localUsers
        self.remoteRecipients = remoteRecipients
    }
}

/// One journaled delivery to complete: index it and, with a route, place and queue it.
public struct RoutedDelivery: Sendable {
    public var item: IndexItem
    /// nil: index only (an import found by recovery).
    public var route: Route?
    /// The mailbox each local user receives it in (the Sieve issue will choose others).
    public var mailbox: String

    public init(item: IndexItem, route: Route?, mailbox: String = "INBOX") {
        self.item = item
        self.route = route
        self.mailbox = mailbox
    }
}

/// A message placed into a user's mailbox.
public struct Placement: Sendable, Hashable {
    public var user: String
    public var mailbox: String
    public var uid: UInt32
    public var uidValidity: UInt32

    public init(user: String, mailbox: String, uid: UInt32, uidValidity: UInt32) {
        self.user = user
        self.mailbox = mailbox
        self.uid = uid
        self.uidValidity = uidValidity
    }
}

/// What one routed delivery's transaction did.
public struct RoutingResult: Sendable, Hashable {
    public var placements: [Placement] = []
    public var queued: [String] = []
    /// Local users of the route that no longer exist (removed between RCPT and commit).
    public var missingUsers: [String] = []
    /// The delivery had been routed before (a replay); nothing was placed or queued again.
    public var alreadyRouted = false

    public init() {}
}

extension Catalog {
    /// Completes journaled deliveries in ONE transaction: index each (idempotent on the envelope
    /// location), place it into each local user's mailbox with the next UID, queue each remote
    /// recipient, and mark it routed. A delivery already routed is not placed or queued again, so a
    /// replay (recovery after a crash, a retried batch) never duplicates a placement.
    public func deliver(_ deliveries: [RoutedDelivery], at time: Date = Date()) async throws -> [RoutingResult] {
        guard !deliveries.isEmpty else { return [] }
        let prepared = await Self.prepareConcurrently(deliveries.map(\.item))
        return try await pool.write { db in
            let statements = try IndexStatements(db)
            let routing = try RoutingStatements(db)
            var results: [RoutingResult] = []
            results.reserveCapacity(deliveries.count)
            for (delivery, row) in zip(deliveries, prepared) {
                try Self.index(row, statements: statements, in: db)
                if let route = delivery.route {
                    results.append(try Self.route(delivery, route: route, at: time, statements: routing))
                } else {
                    results.append(RoutingResult())
                }
            }
            return results
        }
    }

    private static func route(
        _ delivery: RoutedDelivery, route: Route, at time: Date, statements: RoutingStatements
    ) throws -> RoutingResult {
        let receipt = delivery.item.receipt, envelope = delivery.item.envelope
        guard let offset = Int64(exactly: receipt.envelope.offset) else {
            throw CatalogError.locationOutOfRange(receipt.envelope)
        }
        let segment = Int64(receipt.envelope.segment)
        var result = RoutingResult()
        try statements.markRouted.execute(arguments: [segment, offset, time.timeIntervalSince1970])
        guard statements.db.changesCount == 1 else {
            result.alreadyRouted = true
            return result
        }
        var seen: Set<String> = []
        for user in route.localUsers where seen.insert(user).inserted {
            guard let row = try Row.fetchOne(statements.findMailbox, arguments: [user, delivery.mailbox]) else {
                result.missingUsers.append(user)
                continue
            }
            let mailbox: Int64 = row[0], uid: Int64 = row[1], uidValidity: Int64 = row[2]
            try statements.place.execute(arguments: [
                mailbox, uid, receipt.sha256.lowercased(), receipt.size, "",
                envelope.receivedAt.timeIntervalSince1970, segment, offset,
            ])
            guard statements.db.changesCount == 1 else { continue }
            try statements.advanceUID.execute(arguments: [mailbox])
            result.placements.append(Placement(user: user, mailbox: delivery.mailbox, uid: UInt32(uid),
                                               uidValidity: UInt32(uidValidity)))
        }
        var queued: Set<String> = []
        for recipient in route.remoteRecipients where queued.insert(recipient).inserted {
            try statements.enqueue.execute(arguments: [
                segment, offset, receipt.sha256.lowercased(), envelope.mailFrom, recipient,
                time.timeIntervalSince1970, time.timeIntervalSince1970,
            ])
            if statements.db.changesCount == 1 { result.queued.append(recipient) }
        }
        return result
    }

    // MARK: - Recovery

    /// Whether the delivery journaled at `location` is indexed, and whether it is routed.
    public func deliveryState(at location: RecordLocation) async throws -> (indexed: Bool, routed: Bool) {
        guard let offset = Int64(exactly: location.offset) else { throw CatalogError.locationOutOfRange(location) }
        let segment = Int64(location.segment)
        return try await pool.read { db in
            let indexed = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM delivery WHERE envelope_segment = ? AND envelope_offset = ?",
                arguments: [segment, offset]) ?? false
            let routed = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM routed WHERE envelope_segment = ? AND envelope_offset = ?",
                arguments: [segment, offset]) ?? false
            return (indexed, routed)
        }
    }

    /// The last envelope location up to which recovery found everything complete; nil before the
    /// first recovery.
    public func recoveryCheckpoint() async throws -> RecordLocation? {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT key, value FROM catalog_state WHERE key IN ('recovered_segment', 'recovered_offset')
                """)
            var segment: Int64?, offset: Int64?
            for row in rows {
                if row[0] == "recovered_segment" { segment = row[1] } else { offset = row[1] }
            }
            guard let segment, let offset, let s = UInt32(exactly: segment), let o = UInt64(exactly: offset) else {
                return nil
            }
            return RecordLocation(segment: s, offset: o)
        }
    }

    public func setRecoveryCheckpoint(_ location: RecordLocation) async throws {
        guard let offset = Int64(exactly: location.offset) else { throw CatalogError.locationOutOfRange(location) }
        try await pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO catalog_state (key, value)
                VALUES ('recovered_segment', ?), ('recovered_offset', ?)
                """, arguments: [Int64(location.segment), offset])
        }
    }
}

/// The statements of the routing step, prepared once per transaction.
private struct RoutingStatements {
    let db: Database
    let markRouted, findMailbox, place, advanceUID, enqueue: Statement

    init(_ db: Database) throws {
        self.db = db
        markRouted = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO routed (envelope_segment, envelope_offset, time) VALUES (?, ?, ?)
            """)
        findMailbox = try db.cachedStatement(sql: """
            SELECT b.id, b.uid_next, b.uid_validity FROM mailbox b JOIN user u ON u.id = b.user
            WHERE u.email = ? AND b.name = ?
            """)
        place = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO mailbox_message
                (mailbox, uid, sha256, size, flags, internal_date, envelope_segment, envelope_offset)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        advanceUID = try db.cachedStatement(sql: "UPDATE mailbox SET uid_next = uid_next + 1 WHERE id = ?")
        enqueue = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO outbound_queue (envelope_segment, envelope_offset, sha256, mail_from, recipient,
                status, attempts, next_attempt, last_error, created)
            VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, NULL, ?)
            """)
    }
}
