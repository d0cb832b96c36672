import Foundation
import GRDB
import StoreModel

/// Where a journaled delivery goes: the local users who receive it, where each files it, and the
/// remote recipients to queue. Computed from the envelope's recipients (aliases expanded) and the
/// users' Sieve scripts before the write transaction; plain values, so the catalog never sees Sieve.
public struct Route: Sendable, Hashable {
    /// Canonical (folded) user emails; each gets its filings once however often it is named.
    public var localUsers: [String]
    /// Remote forward-paths, queued once each.
    public var remoteRecipients: [String]
    /// Where each local user files the message. A user absent here gets `[.inbox]`; an empty list
    /// places it nowhere for that user (Sieve `discard`, `reject`) — the archive still keeps it.
    public var filings: [String: [Filing]]
    /// Sieve `redirect`s: each queued to its address with the delivery's own envelope sender.
    public var redirects: [Redirect]
    /// Audit entries written in the routing transaction (already journaled in the archive as events).
    public var audit: [AuditEntry]

    public init(localUsers: [String], remoteRecipients: [String], filings: [String: [Filing]] = [:],
                redirects: [Redirect] = [], audit: [AuditEntry] = []) {
        self.localUsers = localUsers
        self.remoteRecipients = remoteRecipients
        self.filings = filings
        self.redirects = redirects
        self.audit = audit
    }

    /// The filings of `user`: the ones given, or INBOX.
    public func filings(of user: String) -> [Filing] { filings[user] ?? [.inbox] }
}

/// A copy of a delivery sent on to another address by a user's Sieve `redirect` (RFC 5228 §4.2).
public struct Redirect: Sendable, Hashable {
    /// Whose script redirected it.
    public var user: String
    public var address: String

    public init(user: String, address: String) {
        self.user = user
        self.address = address
    }
}

/// One routed delivery to complete: index it and, with a route, place and queue it.
public struct RoutedDelivery: Sendable {
    public var item: IndexItem
    /// nil: index only (an import found by recovery).
    public var route: Route?
    /// By local user: the journaled copy with the header fields that user's Sieve script edited
    /// (RFC 5293). It is indexed with the delivery, and it — not the original — is placed into
    /// that user's mailboxes and sent to that user's redirects; other users get the original.
    public var editedCopies: [String: IndexItem]

    public init(item: IndexItem, route: Route?, editedCopies: [String: IndexItem] = [:]) {
        self.item = item
        self.route = route
        self.editedCopies = editedCopies
    }
}

/// A user's mailbox, named.
public struct UserMailbox: Sendable, Hashable {
    public var user: String
    public var mailbox: String

    public init(user: String, mailbox: String) {
        self.user = user
        self.mailbox = mailbox
    }
}

/// What one routed delivery's transaction did.
public struct RoutingResult: Sendable, Hashable {
    public var placements: [Placement] = []
    public var queued: [String] = []
    /// Local users of the route that no longer exist (removed between RCPT and commit).
    public var missingUsers: [String] = []
    /// Filings that went to INBOX instead because their mailbox did not exist at commit time (and
    /// was not to be created): never lost.
    public var fallbacks: [UserMailbox] = []
    /// Mailboxes created by `:create` filings.
    public var createdMailboxes: [UserMailbox] = []
    /// The delivery had been routed before (a replay); nothing was placed or queued again.
    public var alreadyRouted = false

    public init() {}
}

extension Catalog {
    fileprivate static func route(
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
            try file(delivery.editedCopies[user] ?? delivery.item, for: user, filings: route.filings(of: user), at: time,
                     statements: statements, into: &result)
        }
        var queued: Set<String> = []
        // A user's redirect sends what that user's script made of the message (RFC 5293 §3).
        let remote = route.remoteRecipients.map { ($0, delivery.item) }
            + route.redirects.map { ($0.address, delivery.editedCopies[$0.user] ?? delivery.item) }
        for (recipient, item) in remote where queued.insert(recipient).inserted {
            guard let itemOffset = Int64(exactly: item.receipt.envelope.offset) else {
                throw CatalogError.locationOutOfRange(item.receipt.envelope)
            }
            try statements.enqueue.execute(arguments: [
                Int64(item.receipt.envelope.segment), itemOffset, item.receipt.sha256.lowercased(), envelope.mailFrom,
                recipient, time.timeIntervalSince1970, time.timeIntervalSince1970,
            ])
            if statements.db.changesCount == 1 { result.queued.append(recipient) }
        }
        for entry in route.audit {
            try statements.audit.execute(arguments: [
                entry.time.timeIntervalSince1970, entry.actor, entry.action, entry.detail, entry.resultCount,
            ])
        }
        return result
    }

    /// Places one delivery (or a user's edited copy of it) for one user as its filings say: each
    /// into its mailbox with its flags and the next UID. A missing mailbox is created with a fresh
    /// UIDVALIDITY when the filing says `create` (RFC 5490 §3), else the filing goes to INBOX; a
    /// user without INBOX is missing.
    fileprivate static func file(
        _ item: IndexItem, for user: String, filings: [Filing], at time: Date,
        statements: RoutingStatements, into result: inout RoutingResult
    ) throws {
        let receipt = item.receipt, envelope = item.envelope
        let segment = Int64(receipt.envelope.segment), offset = Int64(receipt.envelope.offset)
        let transmittedSize = TransmittedSize.of(item.message.raw)
        for filing in filings {
            var name = filing.mailbox
            var row = try Row.fetchOne(statements.findMailbox, arguments: [user, name])
            if row == nil, filing.create, name != "INBOX",
                let userID = try Int64.fetchOne(statements.findUser, arguments: [user]) {
                try createMailbox(MailboxTemplate(name: name), user: userID, at: time, in: statements.db)
                result.createdMailboxes.append(UserMailbox(user: user, mailbox: name))
                row = try Row.fetchOne(statements.findMailbox, arguments: [user, name])
            }
            if row == nil, name != "INBOX" {
                result.fallbacks.append(UserMailbox(user: user, mailbox: name))
                name = "INBOX"
                row = try Row.fetchOne(statements.findMailbox, arguments: [user, name])
            }
            guard let row else {
                if !result.missingUsers.contains(user) { result.missingUsers.append(user) }
                continue
            }
            let mailbox: Int64 = row[0], uid: Int64 = row[1], uidValidity: Int64 = row[2], modSeq: Int64 = row[3] + 1
            let flags = MessageFlags(stored: filing.flags)
            try statements.place.execute(arguments: [
                mailbox, uid, receipt.sha256.lowercased(), receipt.size, flags.system.rawValue, flags.storedKeywords,
                envelope.receivedAt.timeIntervalSince1970, segment, offset, modSeq, transmittedSize,
            ])
            // A second filing into the same mailbox (a fallback meeting an explicit INBOX) places nothing.
            guard statements.db.changesCount == 1 else { continue }
            // UIDNEXT and HIGHESTMODSEQ (RFC 7162 §3.1.1: a new message gets a new MODSEQ) move together.
            try statements.advanceUID.execute(arguments: [modSeq, mailbox])
            result.placements.append(Placement(user: user, mailbox: name, uid: UInt32(uid),
                                               uidValidity: UInt32(uidValidity), flags: flags.names))
        }
    }

    // MARK: - Recovery
}

/// The statements of the routing step, prepared once per transaction.
private struct RoutingStatements {
    let db: Database
    let markRouted, findMailbox, findUser, place, advanceUID, enqueue, audit: Statement

    init(_ db: Database) throws {
        self.db = db
        markRouted = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO routed (envelope_segment, envelope_offset, time) VALUES (?, ?, ?)
            """)
        findMailbox = try db.cachedStatement(sql: """
            SELECT b.id, b.uid_next, b.uid_validity, b.highest_modseq FROM mailbox b JOIN user u ON u.id = b.user
            WHERE u.email = ? AND b.name = ?
            """)
        place = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO mailbox_message (mailbox, uid, sha256, size, system_flags, keywords,
                internal_date, envelope_segment, envelope_offset, routed, modseq, transmitted_size)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
            """)
        findUser = try db.cachedStatement(sql: "SELECT id FROM user WHERE email = ?")
        advanceUID = try db.cachedStatement(sql: """
            UPDATE mailbox SET uid_next = uid_next + 1, highest_modseq = ? WHERE id = ?
            """)
        audit = try db.cachedStatement(sql: """
            INSERT INTO audit_log (time, actor, action, detail, result_count) VALUES (?, ?, ?, ?, ?)
            """)
        enqueue = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO outbound_queue (envelope_segment, envelope_offset, sha256, mail_from, recipient,
                status, attempts, next_attempt, last_error, created)
            VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, NULL, ?)
            """)
    }
}

extension CatalogMessages {
    /// Completes journaled deliveries in ONE transaction: index each (idempotent on the envelope
    /// location) and its users' edited copies, place it (or a user's edited copy) into each local user's mailboxes as the route's filings say (next UID,
    /// flags, `:create`), queue each remote recipient and Sieve redirect, write the route's audit
    /// entries, and mark it routed. A delivery already routed is not placed or queued again, so a
    /// replay (recovery after a crash, a retried batch) never duplicates a placement.
    public func deliver(_ deliveries: [RoutedDelivery], at time: Date) async throws -> [RoutingResult] {
        guard !deliveries.isEmpty else { return [] }
        let prepared = await Catalog.prepareConcurrently(deliveries.map(\.item))
        // Edited copies are indexed whether or not their delivery was routed before (a replay
        // journaled a new copy; it stays searchable like the other records of the archive).
        let copies = await Catalog.prepareConcurrently(deliveries.flatMap { delivery in
            delivery.editedCopies.sorted { $0.key < $1.key }.map(\.value)
        })
        return try await pool.write { db in
            let statements = try IndexStatements(db)
            let routing = try RoutingStatements(db)
            var results: [RoutingResult] = []
            results.reserveCapacity(deliveries.count)
            for copy in copies { try Catalog.index(copy, statements: statements, in: db) }
            for (delivery, row) in zip(deliveries, prepared) {
                try Catalog.index(row, statements: statements, in: db)
                if let route = delivery.route {
                    results.append(try Catalog.route(delivery, route: route, at: time, statements: routing))
                } else {
                    results.append(RoutingResult())
                }
            }
            return results
        }
    }

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
