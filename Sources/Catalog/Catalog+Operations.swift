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
    /// Runs `body` on an existing catalog opened for `tresor status`, which must leave no trace in
    /// the data directory. SQLite creates `-wal` and `-shm` files even for a read-only connection
    /// to a WAL database, and updates an existing `-shm`. So:
    /// - a server holds the database open (`inUse`): its side files exist and change anyway; a
    ///   read-only connection joins them;
    /// - no server, no WAL content (a clean stop): opened `immutable` (no lock, no side file);
    /// - no server but a WAL with content (a process ended without checkpointing): the database
    ///   and its WAL are copied to a temporary folder outside the data directory and read there,
    ///   since `immutable` would ignore the WAL's transactions.
    public static func withReadOnlyView<T: Sendable>(path: URL, inUse: Bool,
                                                     _ body: @Sendable (Catalog) async throws -> T) async throws -> T {
        let files = FileManager.default
        guard files.fileExists(atPath: path.path) else { throw CatalogError.missing(path: path.path) }
        if inUse { return try await body(try Catalog(path: path, readOnly: true)) }
        let walSize = (try? files.attributesOfItem(atPath: path.path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        guard walSize > 0 else { return try await body(try Catalog(location: immutableURI(path), readOnly: true)) }
        let scratch = files.temporaryDirectory.appendingPathComponent("tresor-status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("catalog.sqlite")
        // File copies are blocking work: off the cooperative pool.
        try await BlockingWork.io.run {
            let files = FileManager.default
            try files.createDirectory(at: scratch, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try files.copyItem(at: path, to: copy)
            try files.copyItem(atPath: path.path + "-wal", toPath: copy.path + "-wal")
        }
        return try await body(try Catalog(path: copy, readOnly: true))
    }

    /// `file:PATH?immutable=1`, with what an SQLite URI filename treats specially escaped (RFC 3986).
    static func immutableURI(_ path: URL) -> String {
        var escaped = ""
        for character in path.path {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return "file:" + escaped + "?immutable=1"
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
