import Foundation
import GRDB
import StoreModel

/// What `tresor status` reports of the catalog.
public struct CatalogStatus: Sendable, Hashable {
    /// Distinct archived messages indexed (one row per body SHA-256).
    public var messages: Int
    /// Deliveries indexed (one per envelope record).
    public var deliveries: Int
    /// Outbound queue rows per status (`queued`, `sending`, `delivered`, `failed`).
    public var queue: [String: Int]
    /// Whether every full-text document has the current format (no rebuild pending).
    public var fullTextIsCurrent: Bool
    /// Messages that search cannot find by their words yet: those without a document, or, while a
    /// rebuild is pending, those after the last one it reached.
    public var fullTextLag: Int
    public var users: Int
    public var domains: Int
}

extension Catalog {
    /// Opens an existing catalog for `tresor status`, which must leave no trace in the data
    /// directory. SQLite creates `-wal` and `-shm` files even for a read-only connection to a WAL
    /// database; when no server holds the database open (`inUse` false) and it has no `-wal`
    /// file, it is opened `immutable` (no lock, no side file) — nothing writes it meanwhile.
    /// Otherwise the server's side files exist already and a read-only connection uses them.
    public static func openWithoutTrace(path: URL, inUse: Bool) throws -> Catalog {
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw CatalogError.missing(path: path.path)
        }
        let wal = FileManager.default.fileExists(atPath: path.path + "-wal")
        guard !inUse, !wal else { return try Catalog(path: path, readOnly: true) }
        // RFC 3986 escaping of what an SQLite URI filename treats specially in a path.
        var escaped = ""
        for character in path.path {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return try Catalog(location: "file:" + escaped + "?immutable=1", readOnly: true)
    }

    /// A consistent copy of the whole catalog at `destination` (a new file), taken with SQLite's
    /// online backup API from one read transaction: writers go on meanwhile (WAL), and the copy is
    /// the database as of that transaction's start. The copy is switched to rollback-journal mode
    /// so that it is one self-contained file; the server turns WAL on again when it opens it.
    /// Blocking: call it off the cooperative pool.
    public func backup(to destination: URL) throws {
        let copy = try DatabaseQueue(path: destination.path)
        try pool.backup(to: copy)
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try copy.close()
    }

    /// Counts for `tresor status`, in one read transaction.
    public func status() async throws -> CatalogStatus {
        try await pool.read { db in
            var queue: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM outbound_queue GROUP BY status") {
                queue[row[0]] = row[1]
            }  // the same as CatalogQueue.countsByStatus, inside this one read transaction
            let current = try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'full_text_format'")
                == Catalog.fullTextFormat
            let lag: Int
            if current {
                lag = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM message m WHERE NOT EXISTS (SELECT 1 FROM message_fts_docsize d WHERE d.id = m.id)
                    """) ?? 0
            } else {
                let through = try Int64.fetchOne(
                    db, sql: "SELECT value FROM catalog_state WHERE key = 'full_text_rebuilt_through'") ?? 0
                lag = try Int.fetchOne(db, sql: "SELECT count(*) FROM message WHERE id > ?", arguments: [through]) ?? 0
            }
            return CatalogStatus(
                messages: try Int.fetchOne(db, sql: "SELECT count(*) FROM message") ?? 0,
                deliveries: try Int.fetchOne(db, sql: "SELECT count(*) FROM delivery") ?? 0,
                queue: queue, fullTextIsCurrent: current, fullTextLag: lag,
                users: try Int.fetchOne(db, sql: "SELECT count(*) FROM user") ?? 0,
                domains: try Int.fetchOne(db, sql: "SELECT count(*) FROM domain") ?? 0)
        }
    }
}

extension CatalogQueue {
    /// Outbound rows per status.
    public func countsByStatus() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM outbound_queue GROUP BY status") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }
}
