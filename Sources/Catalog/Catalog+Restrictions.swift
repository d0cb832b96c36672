import Foundation
import GRDB
import QueryLanguage
import StoreModel

/// Restrictions of processing (GDPR Art. 18) and the private-mail rule, as the catalog caches them,
/// and the messages they select. A restriction's membership is live: `restricted_message` is filled
/// when it is placed and extended by every index transaction (`Catalog.restrictNewlyIndexed`), so
/// owners' views only ever look up a SHA-256 in one indexed table.
extension Catalog {
    fileprivate static let restrictionColumns = """
        SELECT name, query, reason, created_by, created_at, released_by, released_at, release_reason
        FROM processing_restriction
        """

    fileprivate static func restriction(_ row: Row) -> ProcessingRestriction {
        ProcessingRestriction(
            name: row[0], query: row[1], reason: row[2], createdBy: row[3],
            createdAt: Date(timeIntervalSince1970: row[4]), releasedBy: row[5],
            releasedAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)), releaseReason: row[7])
    }

    /// The condition that leaves out restricted messages from a query over `mailbox_message`
    /// aliased `alias` (empty when `hiding` is false).
    static func visibility(hidingRestricted hiding: Bool, alias: String = "m") -> String {
        hiding ? " AND NOT EXISTS (SELECT 1 FROM restricted_message r WHERE r.sha256 = \(alias).sha256)" : ""
    }

    /// The active restrictions with their queries compiled, for an index transaction. A query that
    /// no longer parses restricts nothing new (it parsed when the restriction was placed; the
    /// language only ever grows).
    static func activeRestrictionConditions(_ db: Database) throws -> [(name: String, condition: SQL)] {
        try Row.fetchAll(db, sql: "SELECT name, query FROM processing_restriction WHERE released_at IS NULL")
            .compactMap { row in
                guard let query = try? SearchQuery(parsing: row[1] as String) else { return nil }
                return (row[0], QueryCompiler.condition(query.root))
            }
    }

    /// Adds message `id` to every active restriction whose query matches it (run after the message
    /// and its full text are indexed, in the same transaction).
    static func restrictNewlyIndexed(message id: Int64, restrictions: [(name: String, condition: SQL)],
                                     in db: Database) throws {
        for restriction in restrictions {
            try db.execute(literal: """
                INSERT OR IGNORE INTO restricted_message (sha256, restriction)
                SELECT m.sha256, \(restriction.name) FROM message m WHERE m.id = \(id) AND \(restriction.condition)
                """)
        }
    }

    /// Recomputes one active restriction's messages from its query.
    fileprivate static func fillRestriction(_ name: String, query: SearchQuery, in db: Database) throws {
        try db.execute(sql: "DELETE FROM restricted_message WHERE restriction = ?", arguments: [name])
        try db.execute(literal: """
            INSERT OR IGNORE INTO restricted_message (sha256, restriction)
            SELECT m.sha256, \(name) FROM message m WHERE \(QueryCompiler.condition(query.root))
            """)
    }
}

extension CatalogGovernance {
    /// The restriction of that case name, active or released.
    public func restriction(named name: String) async throws -> ProcessingRestriction? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "\(Catalog.restrictionColumns) WHERE name = ?", arguments: [name])
                .map(Catalog.restriction)
        }
    }

    /// All restrictions, active and released, oldest first.
    public func restrictions() async throws -> [ProcessingRestriction] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Catalog.restrictionColumns) ORDER BY created_at, name").map(Catalog.restriction)
        }
    }

    /// Records a new restriction and the messages its query matches now, in one transaction;
    /// returns how many messages that is.
    @discardableResult
    public func addRestriction(_ restriction: ProcessingRestriction, query: SearchQuery) async throws -> Int {
        guard LegalHold.isValidName(restriction.name) else { throw RestrictionError.invalidName(restriction.name) }
        return try await pool.write { db in
            if let existing = try Row.fetchOne(db, sql: "\(Catalog.restrictionColumns) WHERE name = ?",
                                               arguments: [restriction.name]).map(Catalog.restriction) {
                throw RestrictionError.exists(restriction.name, releasedAt: existing.releasedAt)
            }
            try db.execute(
                sql: """
                    INSERT INTO processing_restriction (name, query, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [restriction.name, restriction.query, restriction.reason, restriction.createdBy,
                            restriction.createdAt.timeIntervalSince1970])
            try Catalog.fillRestriction(restriction.name, query: query, in: db)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM restricted_message WHERE restriction = ?",
                                    arguments: [restriction.name]) ?? 0
        }
    }

    /// Releases an active restriction: its messages are visible again (unless another restriction
    /// covers them). Returns it as it now is.
    @discardableResult
    public func releaseRestriction(named name: String, by actor: String, reason: String, at time: Date) async throws
        -> ProcessingRestriction
    {
        try await pool.write { db in
            guard let restriction = try Row.fetchOne(db, sql: "\(Catalog.restrictionColumns) WHERE name = ?",
                                                     arguments: [name]).map(Catalog.restriction)
            else { throw RestrictionError.unknown(name) }
            if let released = restriction.releasedAt { throw RestrictionError.alreadyReleased(name, releasedAt: released) }
            try db.execute(
                sql: "UPDATE processing_restriction SET released_by = ?, released_at = ?, release_reason = ? WHERE name = ?",
                arguments: [actor, time.timeIntervalSince1970, reason, name])
            try db.execute(sql: "DELETE FROM restricted_message WHERE restriction = ?", arguments: [name])
            var released = restriction
            released.releasedBy = actor
            released.releasedAt = time
            released.releaseReason = reason
            return released
        }
    }

    /// The SHA-256 of every message an active restriction covers.
    public func restrictedMessages() async throws -> Set<String> {
        try await pool.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM restricted_message")) }
    }

    /// The SHA-256 of the messages one restriction covers (none once it is released).
    public func restrictedMessages(of name: String) async throws -> Set<String> {
        try await pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT sha256 FROM restricted_message WHERE restriction = ?",
                                    arguments: [name]))
        }
    }

    /// For each restriction whose hidden messages differ from what its query matches now: how many
    /// matches are not hidden, and how many hidden ones are no match (or belong to a restriction
    /// that is not active). Empty when the table is what indexing would have made it. A row whose
    /// message a purge removed from the catalog is no drift: it keeps hiding a copy an
    /// archive-only purge left in a mailbox.
    public func restrictionDrift() async throws -> [(name: String, missing: Int, extra: Int)] {
        try await pool.read { db in
            var drift: [(name: String, missing: Int, extra: Int)] = []
            var active: Set<String> = []
            for (name, condition) in try Catalog.activeRestrictionConditions(db) {
                active.insert(name)
                let missing = try Int.fetchOne(db, SQLRequest<Int>(literal: """
                    SELECT count(*) FROM message m WHERE \(condition)
                    AND NOT EXISTS (SELECT 1 FROM restricted_message r WHERE r.sha256 = m.sha256 AND r.restriction = \(name))
                    """)) ?? 0
                let extra = try Int.fetchOne(db, SQLRequest<Int>(literal: """
                    SELECT count(*) FROM restricted_message r WHERE r.restriction = \(name)
                    AND EXISTS (SELECT 1 FROM message m WHERE m.sha256 = r.sha256)
                    AND NOT EXISTS (SELECT 1 FROM message m WHERE m.sha256 = r.sha256 AND \(condition))
                    """)) ?? 0
                if missing > 0 || extra > 0 { drift.append((name, missing, extra)) }
            }
            for row in try Row.fetchAll(db, sql: "SELECT restriction, count(*) FROM restricted_message GROUP BY restriction")
            where !active.contains(row[0] as String) {
                drift.append((row[0], 0, row[1]))
            }
            return drift.sorted { $0.name < $1.name }
        }
    }

    /// Makes the cached restrictions say what the archive's records say (rows only the catalog has
    /// stay, as with holds: `verify` names them) and recomputes every active one's messages.
    static func rebuildRestrictions(_ restrictions: [ProcessingRestriction], in db: Database) throws {
        for restriction in restrictions {
            try db.execute(sql: """
                INSERT INTO processing_restriction (name, query, reason, created_by, created_at, released_by,
                    released_at, release_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET query = excluded.query, reason = excluded.reason,
                    created_by = excluded.created_by, created_at = excluded.created_at,
                    released_by = excluded.released_by, released_at = excluded.released_at,
                    release_reason = excluded.release_reason
                """, arguments: [restriction.name, restriction.query, restriction.reason, restriction.createdBy,
                                 restriction.createdAt.timeIntervalSince1970, restriction.releasedBy,
                                 restriction.releasedAt?.timeIntervalSince1970, restriction.releaseReason])
        }
        try db.execute(sql: "DELETE FROM restricted_message")
        for row in try Row.fetchAll(db, sql: "SELECT name, query FROM processing_restriction WHERE released_at IS NULL") {
            guard let query = try? SearchQuery(parsing: row[1] as String) else { continue }
            try Catalog.fillRestriction(row[0], query: query, in: db)
        }
    }

    // MARK: - The private-mail rule

    /// The rule in force, nil when none was ever set.
    public func privateMailRule() async throws -> PrivateMailSetting? {
        try await pool.read { db in try Self.privateMailRule(db) }
    }

    static func privateMailRule(_ db: Database) throws -> PrivateMailSetting? {
        try Row.fetchOne(db, sql: "SELECT folder, keyword, query, set_by, set_at FROM private_mail_rule WHERE id = 1")
            .map { row in
                PrivateMailSetting(rule: PrivateMailRule(folder: row[0], keyword: row[1], query: row[2]),
                                   setBy: row[3], setAt: Date(timeIntervalSince1970: row[4]))
            }
    }

    public func setPrivateMailRule(_ setting: PrivateMailSetting) async throws {
        try await pool.write { db in try Self.setPrivateMailRule(setting, in: db) }
    }

    static func setPrivateMailRule(_ setting: PrivateMailSetting, in db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO private_mail_rule (id, folder, keyword, query, set_by, set_at) VALUES (1, ?, ?, ?, ?, ?)
            """, arguments: [setting.rule.folder, setting.rule.keyword, setting.rule.query, setting.setBy,
                             setting.setAt.timeIntervalSince1970])
    }

    /// The SHA-256 of every message `rule` marks private: placed in its folder (or below it) in
    /// any user's mailboxes, placed with its keyword (any case), or matching `query` (the rule's
    /// query, parsed by the caller).
    public func privateMessages(_ rule: PrivateMailRule, query: SearchQuery?) async throws -> Set<String> {
        try await pool.read { db in
            var result: Set<String> = []
            if let folder = rule.folder {
                result.formUnion(try String.fetchAll(db, sql: """
                    SELECT DISTINCT mm.sha256 FROM mailbox_message mm JOIN mailbox b ON b.id = mm.mailbox
                    WHERE b.name = ? OR substr(b.name, 1, length(?) + 1) = ? || '/'
                    """, arguments: [folder, folder, folder]))
            }
            if let keyword = rule.keyword {
                result.formUnion(try String.fetchAll(db, sql: """
                    SELECT DISTINCT sha256 FROM mailbox_message
                    WHERE instr(' ' || lower(keywords) || ' ', ' ' || lower(?) || ' ') > 0
                    """, arguments: [keyword]))
            }
            if let query {
                result.formUnion(try String.fetchAll(db, SQLRequest<String>(literal: """
                    SELECT m.sha256 FROM message m WHERE \(QueryCompiler.condition(query.root))
                    """)))
            }
            return result
        }
    }
}
