import Foundation
import GRDB
import StoreModel

/// Read access to accounts inside one read transaction, so that a recipient resolution sees one
/// consistent state however many lookups it makes. Addresses and domains are given folded.
public struct AccountLookup {
    let db: Database

    public func isLocalDomain(_ domain: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM domain WHERE name = ?", arguments: [domain]) ?? false
    }

    public func isUser(_ email: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE email = ?", arguments: [email]) ?? false
    }

    /// The alias's targets in the order given, or nil if the address is no alias.
    public func aliasTargets(_ address: String) throws -> [String]? {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM alias WHERE address = ?", arguments: [address]) ?? false else {
            return nil
        }
        return try String.fetchAll(
            db, sql: "SELECT target FROM alias_target WHERE alias = ? ORDER BY position", arguments: [address])
    }

    /// The aliases that name `target` directly.
    public func aliases(targeting target: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT alias FROM alias_target WHERE target = ?", arguments: [target])
    }
}

extension CatalogAccounts {
    /// Runs `body` with account lookups inside one read transaction.
    public func withAccounts<T: Sendable>(_ body: @escaping @Sendable (AccountLookup) throws -> T) async throws -> T {
        try await pool.read { db in try body(AccountLookup(db: db)) }
    }

    public func addDomain(_ name: String, at time: Date) async throws {
        try await pool.write { db in
            guard try !(AccountLookup(db: db).isLocalDomain(name)) else { throw AccountError.domainExists(name) }
            try db.execute(sql: "INSERT INTO domain (name, created) VALUES (?, ?)",
                           arguments: [name, time.timeIntervalSince1970])
        }
    }

    /// Removes a local domain that holds no users and no aliases.
    public func removeDomain(_ name: String) async throws {
        try await pool.write { db in
            guard try AccountLookup(db: db).isLocalDomain(name) else { throw AccountError.unknownDomain(name) }
            let users = try Int.fetchOne(db, sql: "SELECT count(*) FROM user WHERE domain = ?", arguments: [name]) ?? 0
            let aliases = try Int.fetchOne(db, sql: "SELECT count(*) FROM alias WHERE domain = ?", arguments: [name]) ?? 0
            guard users == 0, aliases == 0 else { throw AccountError.domainInUse(name, users: users, aliases: aliases) }
            try db.execute(sql: "DELETE FROM domain WHERE name = ?", arguments: [name])
        }
    }

    public func domains() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM domain ORDER BY name") }
    }

    /// Creates a user and its folders in one transaction. The domain must be local and the address
    /// must not already be a user or an alias.
    public func addUser(
        _ email: String, domain: String, passwordHash: String, mailboxes: [MailboxTemplate], at time: Date
    ) async throws {
        try await pool.write { db in
            let lookup = AccountLookup(db: db)
            guard try lookup.isLocalDomain(domain) else { throw AccountError.notLocalDomain(address: email, domain: domain) }
            guard try !lookup.isUser(email) else { throw AccountError.userExists(email) }
            guard try lookup.aliasTargets(email) == nil else { throw AccountError.addressTaken(email) }
            try db.execute(
                sql: "INSERT INTO user (email, domain, password_hash, created) VALUES (?, ?, ?, ?)",
                arguments: [email, domain, passwordHash, time.timeIntervalSince1970])
            let user = db.lastInsertedRowID
            for template in mailboxes {
                try Catalog.createMailbox(template, user: user, at: time, in: db)
            }
        }
    }

    public func setPasswordHash(_ passwordHash: String, of email: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE user SET password_hash = ? WHERE email = ?", arguments: [passwordHash, email])
            guard db.changesCount == 1 else { throw AccountError.unknownUser(email) }
        }
    }

    /// Removes a user with its mailboxes and placements. The archive keeps every message.
    public func removeUser(_ email: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM user WHERE email = ?", arguments: [email])
            guard db.changesCount == 1 else { throw AccountError.unknownUser(email) }
        }
    }

    public func users() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT email FROM user ORDER BY email") }
    }

    /// The stored password hash (a PHC string), or nil for an unknown user.
    public func passwordHash(of email: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM user WHERE email = ?", arguments: [email])
        }
    }

    /// Adds an alias in a local domain. `validate` runs inside the write transaction with the alias
    /// already inserted, so that a check of the whole expansion (loops) sees the new state; throwing
    /// rolls the insert back.
    public func addAlias(
        _ address: String, domain: String, targets: [String], at time: Date,
        validate: @escaping @Sendable (AccountLookup) throws -> Void = { _ in }
    ) async throws {
        guard !targets.isEmpty else { throw AccountError.noTargets(address) }
        try await pool.write { db in
            let lookup = AccountLookup(db: db)
            guard try lookup.isLocalDomain(domain) else { throw AccountError.notLocalDomain(address: address, domain: domain) }
            guard try lookup.aliasTargets(address) == nil else { throw AccountError.aliasExists(address) }
            guard try !lookup.isUser(address) else { throw AccountError.addressTaken(address) }
            try db.execute(sql: "INSERT INTO alias (address, domain, created) VALUES (?, ?, ?)",
                           arguments: [address, domain, time.timeIntervalSince1970])
            for (position, target) in targets.enumerated() {
                try db.execute(sql: "INSERT INTO alias_target (alias, position, target) VALUES (?, ?, ?)",
                               arguments: [address, position, target])
            }
            try validate(lookup)
        }
    }

    public func removeAlias(_ address: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM alias WHERE address = ?", arguments: [address])
            guard db.changesCount == 1 else { throw AccountError.unknownAlias(address) }
        }
    }

    /// Every alias with its targets, sorted by address.
    public func aliases() async throws -> [(address: String, targets: [String])] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.address, t.target FROM alias a JOIN alias_target t ON t.alias = a.address
                ORDER BY a.address, t.position
                """)
            var result: [(address: String, targets: [String])] = []
            for row in rows {
                let address: String = row[0], target: String = row[1]
                if result.last?.address == address {
                    result[result.count - 1].targets.append(target)
                } else {
                    result.append((address, [target]))
                }
            }
            return result
        }
    }
}
