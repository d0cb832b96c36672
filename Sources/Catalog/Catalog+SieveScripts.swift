import Foundation
import GRDB
import StoreModel

/// The scripts a delivery needs, read in one transaction with the generation they belong to.
public struct SieveDeliveryScripts: Sendable, Hashable {
    /// `catalog_state.sieve_generation` when these were read.
    public var generation: Int64
    public var global: StoredSieveScript?
    /// The active script of each user asked about that has one.
    public var active: [String: StoredSieveScript]
    /// The users (of all, not only those asked about) that have an active script.
    public var usersWithActiveScript: Set<String>
    /// Every script of each user asked about that has an active one: what their `include`s
    /// (RFC 6609 `:personal`) may name.
    public var personal: [String: [StoredSieveScript]] = [:]
}

extension AccountLookup {
    /// The Sieve generation: changes whenever any script (global or a user's) changes.
    public func sieveGeneration() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'sieve_generation'") ?? 0
    }

    /// The locked-policy generation: changes whenever a locked policy is recorded or forgotten.
    public func lockGeneration() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'lock_generation'") ?? 0
    }
}

extension Catalog {
    fileprivate static func userID(_ email: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email])
    }

    fileprivate static func scriptRecord(_ row: Row) -> StoredSieveScript {
        StoredSieveScript(name: row[0], source: row[1], active: row[2], updated: Date(timeIntervalSince1970: row[3]))
    }
}

extension CatalogAccounts {
    /// The Sieve generation (see `AccountLookup.sieveGeneration`).
    public func sieveGeneration() async throws -> Int64 {
        try await pool.read { db in try AccountLookup(db: db).sieveGeneration() }
    }

    /// A user's scripts by name; nil for an unknown user.
    public func sieveScripts(of email: String) async throws -> [StoredSieveScript]? {
        try await pool.read { db in
            guard try AccountLookup(db: db).isUser(email) else { return nil }
            return try Row.fetchAll(db, sql: """
                SELECT s.name, s.source, s.active, s.updated FROM sieve_script s JOIN user u ON u.id = s.user
                WHERE u.email = ? ORDER BY s.name
                """, arguments: [email]).map(Catalog.scriptRecord)
        }
    }

    /// The global script and, for each of `users`, its active script, in one read.
    public func sieveDeliveryScripts(for users: [String]) async throws -> SieveDeliveryScripts {
        try await pool.read { db in
            let generation = try AccountLookup(db: db).sieveGeneration()
            let global = try Row.fetchOne(db, sql: "SELECT 'global', source, 1, updated FROM sieve_global WHERE id = 1")
                .map(Catalog.scriptRecord)
            let holders = Set(try String.fetchAll(db, sql: """
                SELECT u.email FROM sieve_script s JOIN user u ON u.id = s.user WHERE s.active
                """))
            var active: [String: StoredSieveScript] = [:]
            var personal: [String: [StoredSieveScript]] = [:]
            for user in Set(users) where holders.contains(user) {
                let all = try Row.fetchAll(db, sql: """
                    SELECT s.name, s.source, s.active, s.updated FROM sieve_script s JOIN user u ON u.id = s.user
                    WHERE u.email = ? ORDER BY s.name
                    """, arguments: [user]).map(Catalog.scriptRecord)
                active[user] = all.first { $0.active }
                personal[user] = all
            }
            return SieveDeliveryScripts(generation: generation, global: global, active: active,
                                        usersWithActiveScript: holders, personal: personal)
        }
    }

    /// Stores `source` as `name` (replacing a script of that name, which keeps its active state);
    /// with `activate`, it becomes the user's one active script. One transaction.
    public func putSieveScript(_ name: String, source: String, of email: String, activate: Bool,
                               at time: Date) async throws -> SieveScriptChange {
        try await pool.write { db in
            guard let user = try Catalog.userID(email, in: db) else { return .unknownUser }
            if activate {
                try db.execute(sql: "UPDATE sieve_script SET active = 0 WHERE user = ? AND active AND name <> ?",
                               arguments: [user, name])
            }
            try db.execute(sql: """
                INSERT INTO sieve_script (user, name, source, active, updated) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user, name) DO UPDATE SET source = excluded.source, updated = excluded.updated,
                    active = active OR excluded.active
                """, arguments: [user, name, source, activate, time.timeIntervalSince1970])
            return .done
        }
    }

    /// Deletes a script; the active one is refused (RFC 5804 §2.10).
    public func deleteSieveScript(_ name: String, of email: String) async throws -> SieveScriptChange {
        try await pool.write { db in
            guard let user = try Catalog.userID(email, in: db) else { return .unknownUser }
            guard let active = try Bool.fetchOne(
                db, sql: "SELECT active FROM sieve_script WHERE user = ? AND name = ?", arguments: [user, name])
            else { return .nonexistent }
            if active { return .active }
            try db.execute(sql: "DELETE FROM sieve_script WHERE user = ? AND name = ?", arguments: [user, name])
            return .done
        }
    }

    /// Renames a script, keeping its active state (RFC 5804 §2.11.1).
    public func renameSieveScript(_ name: String, to newName: String, of email: String,
                                  at time: Date) async throws -> SieveScriptChange {
        try await pool.write { db in
            guard let user = try Catalog.userID(email, in: db) else { return .unknownUser }
            let exists = { (script: String) throws -> Bool in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM sieve_script WHERE user = ? AND name = ?",
                                  arguments: [user, script]) ?? false
            }
            guard try exists(name) else { return .nonexistent }
            if name == newName { return .done }
            guard try !exists(newName) else { return .alreadyExists }
            try db.execute(sql: "UPDATE sieve_script SET name = ?, updated = ? WHERE user = ? AND name = ?",
                           arguments: [newName, time.timeIntervalSince1970, user, name])
            return .done
        }
    }

    /// Makes `name` the user's one active script; nil deactivates whichever is active
    /// (RFC 5804 §2.8, SETACTIVE "").
    public func setActiveSieveScript(_ name: String?, of email: String) async throws -> SieveScriptChange {
        try await pool.write { db in
            guard let user = try Catalog.userID(email, in: db) else { return .unknownUser }
            guard let name else {
                try db.execute(sql: "UPDATE sieve_script SET active = 0 WHERE user = ? AND active", arguments: [user])
                return .done
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sieve_script WHERE user = ? AND name = ?",
                                    arguments: [user, name]) ?? false
            else { return .nonexistent }
            try db.execute(sql: "UPDATE sieve_script SET active = 0 WHERE user = ? AND active AND name <> ?",
                           arguments: [user, name])
            try db.execute(sql: "UPDATE sieve_script SET active = 1 WHERE user = ? AND name = ? AND NOT active",
                           arguments: [user, name])
            return .done
        }
    }

    /// The global script, run before every user's own; nil when there is none.
    public func globalSieveScript() async throws -> StoredSieveScript? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT 'global', source, 1, updated FROM sieve_global WHERE id = 1")
                .map(Catalog.scriptRecord)
        }
    }

    /// Sets the global script; nil removes it.
    public func setGlobalSieveScript(source: String?, at time: Date) async throws {
        try await pool.write { db in
            guard let source else {
                try db.execute(sql: "DELETE FROM sieve_global WHERE id = 1")
                return
            }
            try db.execute(sql: """
                INSERT INTO sieve_global (id, source, updated) VALUES (1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET source = excluded.source, updated = excluded.updated
                """, arguments: [source, time.timeIntervalSince1970])
        }
    }
}

extension CatalogAccounts {
    /// The names of each user's mailboxes (what Sieve's `mailboxexists` and `fileinto` without
    /// `:create` ask about); users without mailboxes are absent.
    public func mailboxNames(of emails: [String]) async throws -> [String: Set<String>] {
        try await pool.read { db in
            var result: [String: Set<String>] = [:]
            for email in Set(emails) {
                let names = try String.fetchAll(db, sql: """
                    SELECT b.name FROM mailbox b JOIN user u ON u.id = b.user WHERE u.email = ?
                    """, arguments: [email])
                if !names.isEmpty { result[email] = Set(names) }
            }
            return result
        }
    }
}
