import Foundation
import GRDB
import StoreModel

extension Catalog {
    fileprivate static let holdColumns = """
        SELECT name, query, reason, created_by, created_at, released_by, released_at, release_reason FROM legal_hold
        """

    fileprivate static func legalHold(_ row: Row) -> LegalHold {
        LegalHold(
            name: row[0], query: row[1], reason: row[2], createdBy: row[3],
            createdAt: Date(timeIntervalSince1970: row[4]), releasedBy: row[5],
            releasedAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)), releaseReason: row[7])
    }
}

extension Character {
    fileprivate var isControlCharacter: Bool {
        unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

extension CatalogGovernance {
    /// The hold of that case name, active or released.
    public func legalHold(named name: String) async throws -> LegalHold? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "\(Catalog.holdColumns) WHERE name = ?", arguments: [name]).map(Catalog.legalHold)
        }
    }

    /// All holds, active and released, oldest first.
    public func legalHolds() async throws -> [LegalHold] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Catalog.holdColumns) ORDER BY created_at, name").map(Catalog.legalHold)
        }
    }

    /// The holds in force.
    public func activeLegalHolds() async throws -> [LegalHold] {
        try await legalHolds().filter(\.isActive)
    }

    /// Records a new hold. The caller has parsed `hold.query` (the catalog stores text only).
    public func addLegalHold(_ hold: LegalHold) async throws {
        guard LegalHold.isValidName(hold.name) else { throw LegalHoldError.invalidName(hold.name) }
        try await pool.write { db in
            if let existing = try Row.fetchOne(db, sql: "\(Catalog.holdColumns) WHERE name = ?", arguments: [hold.name])
                .map(Catalog.legalHold) {
                throw LegalHoldError.exists(hold.name, releasedAt: existing.releasedAt)
            }
            try db.execute(
                sql: """
                    INSERT INTO legal_hold (name, query, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [hold.name, hold.query, hold.reason, hold.createdBy, hold.createdAt.timeIntervalSince1970])
        }
    }

    /// Releases an active hold; returns it as it now is.
    @discardableResult
    public func releaseLegalHold(named name: String, by actor: String, reason: String, at time: Date) async throws
        -> LegalHold
    {
        try await pool.write { db in
            guard let hold = try Row.fetchOne(db, sql: "\(Catalog.holdColumns) WHERE name = ?", arguments: [name])
                .map(Catalog.legalHold)
            else { throw LegalHoldError.unknown(name) }
            if let released = hold.releasedAt { throw LegalHoldError.alreadyReleased(name, releasedAt: released) }
            try db.execute(
                sql: "UPDATE legal_hold SET released_by = ?, released_at = ?, release_reason = ? WHERE name = ?",
                arguments: [actor, time.timeIntervalSince1970, reason, name])
            var released = hold
            released.releasedBy = actor
            released.releasedAt = time
            released.releaseReason = reason
            return released
        }
    }
}
