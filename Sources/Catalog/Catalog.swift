import Foundation
import GRDB
import MailMessage
import StoreModel

/// The searchable index of the archive: SQLite (WAL) through one GRDB `DatabasePool` at
/// `DATA/catalog.sqlite`.
///
/// Invariants:
/// - The search index is derived data: `message`, `delivery`, `address` and `message_fts` can be
///   deleted (`reset()`) and rebuilt from the archive segments; nothing here is the record of truth
///   for a message. Not derived, and kept by `reset()`: `audit_log` and the accounts and mail state
///   of schema "v2" (domains, users, aliases, mailboxes, placements, `routed`, the outbound queue),
///   which refer to messages by SHA-256 and envelope location only, never by a `message` row id.
/// - A routed delivery is indexed, placed and queued in one transaction (`deliver(_:)`), and marked
///   in `routed` so that a replay never places it twice.
/// - Index only after the archive append is durable (fsync), so a catalog row never points at a
///   record that may vanish.
/// - One `message` row per distinct body SHA-256; one `delivery` row per envelope record. Indexing
///   the same envelope location twice is a no-op, so a retried or replayed batch is harmless.
/// - Each `index(_:)` call is one transaction (group commit): a batch is all visible or not at all.
/// - The `address` rows and the `message_fts` row of a message are rewritten in the same transaction
///   as the delivery that changes them; they never lag behind.
/// - User input reaches SQL only as bound parameters, and FTS5 only as quoted strings we build.
public final class Catalog: Sendable {
    /// Readers never wait for the writer (WAL); GRDB serialises the writes.
    let pool: DatabasePool
    /// Domains, users (password hashes), aliases and users' Sieve scripts.
    public let accounts: CatalogAccounts
    /// Users' mailboxes and the IMAP state of their messages: UIDs, flags, MODSEQs, tombstones,
    /// subscriptions, drafts; POP3 deletions; IMAP SEARCH candidates.
    public let mailboxes: CatalogMailboxes
    /// The index of archived messages: metadata, addresses, full text, deliveries and their
    /// routing, the query language's search, retention candidates.
    public let messages: CatalogMessages
    /// The outbound queue: rows per remote recipient, claims, attempts, bounces.
    public let queue: CatalogQueue
    /// A cache of governance state and the audit log: legal holds, locked policies, purge plans,
    /// purges in progress, kept copies.
    public let governance: CatalogGovernance

    /// Opens (creating if needed) the catalog database and brings its schema up to date.
    /// Fails with `CatalogError.fullTextSearchUnavailable` if SQLite lacks FTS5.
    public convenience init(path: URL) throws {
        try self.init(path: path, readOnly: false)
    }

    /// `readOnly`: no migration and no write (see `openForReading`).
    convenience init(path: URL, readOnly: Bool) throws {
        if !readOnly {
            try FileManager.default.createDirectory(
                at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        try self.init(location: path.path, readOnly: readOnly)
    }

    /// `location`: a file path, or an SQLite URI filename (`file:…?immutable=1`, see
    /// `withReadOnlyView`); the system SQLite is built with SQLITE_USE_URI.
    init(location: String, readOnly: Bool) throws {
        var configuration = Configuration()
        configuration.readonly = readOnly
        // The CLI and a running server share the file; wait for the other's write to finish.
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        // A purged message must leave no readable byte behind: freed pages are zeroed, not kept.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        pool = try DatabasePool(path: location, configuration: configuration)
        try pool.read { db in
            let options = try String.fetchAll(db, sql: "PRAGMA compile_options")
            guard options.contains("ENABLE_FTS5") else {
                throw CatalogError.fullTextSearchUnavailable(sqliteVersion: try String.fetchOne(
                    db, sql: "SELECT sqlite_version()") ?? "?")
            }
        }
        if !readOnly { try CatalogSchema.migrator.migrate(pool) }
        accounts = CatalogAccounts(pool: pool)
        mailboxes = CatalogMailboxes(pool: pool)
        messages = CatalogMessages(pool: pool)
        queue = CatalogQueue(pool: pool)
        governance = CatalogGovernance(pool: pool)
    }

    /// Whether SQLite failed for want of disk space (SQLITE_FULL).
    public static func isDiskFull(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_FULL
    }

    /// Whether SQLite found the database file damaged (SQLITE_CORRUPT, SQLITE_NOTADB).
    public static func isDamaged(_ error: any Error) -> Bool {
        guard let code = (error as? DatabaseError)?.resultCode else { return false }
        return code == .SQLITE_CORRUPT || code == .SQLITE_NOTADB
    }

    /// Drops all derived data (messages, deliveries, addresses, the full-text index) so that
    /// `tresor reindex` can rebuild it from the archive. The audit log, accounts, mailboxes,
    /// placements and the outbound queue stay.
    public func reset() async throws {
        try await pool.write { db in try CatalogSchema.deleteDerivedData(db) }
    }
}

/// One concern of the catalog: a view on the same database (one `DatabasePool`), so that a reader
/// finds accounts, mailboxes, messages, the queue and governance each in its own type.
public struct CatalogAccounts: Sendable { let pool: DatabasePool }
/// See `Catalog.mailboxes`.
public struct CatalogMailboxes: Sendable { let pool: DatabasePool }
/// See `Catalog.messages`.
public struct CatalogMessages: Sendable { let pool: DatabasePool }
/// See `Catalog.queue`.
public struct CatalogQueue: Sendable { let pool: DatabasePool }
/// See `Catalog.governance`.
public struct CatalogGovernance: Sendable { let pool: DatabasePool }

/// What can go wrong in the catalog besides SQLite's own errors.
public enum CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The linked SQLite was built without `SQLITE_ENABLE_FTS5`.
    case fullTextSearchUnavailable(sqliteVersion: String)
    /// A message id must be 8 to 64 hex digits.
    case invalidMessageID(String)
    /// A message id prefix matches more than one message.
    case ambiguousMessageID(String)
    /// A record offset beyond what SQLite's signed 64-bit integers hold.
    case locationOutOfRange(RecordLocation)
    /// No catalog file where one was expected.
    case missing(path: String)

    public var description: String {
        switch self {
        case .fullTextSearchUnavailable(let version):
            "SQLite \(version) was built without FTS5 (PRAGMA compile_options lacks ENABLE_FTS5); "
                + "install an SQLite with FTS5 (e.g. libsqlite3-dev on Debian/Ubuntu)"
        case .invalidMessageID(let id): "invalid message id \"\(id)\": give 8 to 64 hex digits of its SHA-256"
        case .ambiguousMessageID(let id): "message id \"\(id)\" matches several messages; give more digits"
        case .locationOutOfRange(let location): "record location \(location) is out of range"
        case .missing(let path): "no catalog at \(path)"
        }
    }
}
