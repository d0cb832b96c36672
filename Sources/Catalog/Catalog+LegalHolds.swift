import Foundation
import GRDB

/// A legal hold (schema "v6"): a named case whose query's messages are never purged while it is
/// active. The hold is the query, not a list of messages, so mail that arrives later and matches is
/// held too; it is evaluated each time retention plans and again right before a purge executes.
public struct LegalHold: Sendable, Hashable, Codable {
    /// The case name, unique for ever (a released case keeps its record).
    public var name: String
    /// In the search language (`SearchQuery`).
    public var query: String
    public var reason: String
    public var createdBy: String
    public var createdAt: Date
    public var releasedBy: String?
    public var releasedAt: Date?
    public var releaseReason: String?
    public var isActive: Bool { releasedAt == nil }

    public init(name: String, query: String, reason: String, createdBy: String, createdAt: Date,
                releasedBy: String? = nil, releasedAt: Date? = nil, releaseReason: String? = nil) {
        self.name = name
        self.query = query
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.releasedBy = releasedBy
        self.releasedAt = releasedAt
        self.releaseReason = releaseReason
    }
}

/// Why a hold change was refused.
public enum LegalHoldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Case names are unique for ever, so that a released case's record is never overwritten.
    case exists(String, releasedAt: Date?)
    case unknown(String)
    case alreadyReleased(String, releasedAt: Date)
    /// A case name must be 1–200 characters without control characters.
    case invalidName(String)

    public var description: String {
        switch self {
        case .exists(let name, nil): "hold \"\(name)\" already exists"
        case .exists(let name, let released?):
            "hold \"\(name)\" exists (released \(released.formatted(.iso8601))); case names are not reused, "
                + "choose another"
        case .unknown(let name): "no hold \"\(name)\""
        case .alreadyReleased(let name, let released):
            "hold \"\(name)\" was already released \(released.formatted(.iso8601))"
        case .invalidName(let name): "invalid case name \"\(name)\" (1 to 200 characters, no control characters)"
        }
    }
}

extension Catalog {
    /// The hold of that case name, active or released.
    public func legalHold(named name: String) async throws -> LegalHold? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "\(Self.holdColumns) WHERE name = ?", arguments: [name]).map(Self.legalHold)
        }
    }

    /// All holds, active and released, oldest first.
    public func legalHolds() async throws -> [LegalHold] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.holdColumns) ORDER BY created_at, name").map(Self.legalHold)
        }
    }

    /// The holds in force.
    public func activeLegalHolds() async throws -> [LegalHold] {
        try await legalHolds().filter(\.isActive)
    }

    /// Records a new hold. The caller has parsed `hold.query` (the catalog stores text only).
    public func addLegalHold(_ hold: LegalHold) async throws {
        guard (1...200).contains(hold.name.count), !hold.name.contains(where: { $0.isControlCharacter }),
            hold.name.trimmingCharacters(in: .whitespaces) == hold.name
        else { throw LegalHoldError.invalidName(hold.name) }
        try await pool.write { db in
            if let existing = try Row.fetchOne(db, sql: "\(Self.holdColumns) WHERE name = ?", arguments: [hold.name])
                .map(Self.legalHold) {
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
            guard let hold = try Row.fetchOne(db, sql: "\(Self.holdColumns) WHERE name = ?", arguments: [name])
                .map(Self.legalHold)
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

    private static let holdColumns = """
        SELECT name, query, reason, created_by, created_at, released_by, released_at, release_reason FROM legal_hold
        """

    private static func legalHold(_ row: Row) -> LegalHold {
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
