import Foundation
import GRDB
import StoreModel

/// One placement as `verify` checks it against the archive.
public struct PlacementCheckRow: Sendable, Hashable {
    public var user: String
    public var mailbox: String
    public var uid: UInt32
    public var sha256: String
    /// The archive record it names; nil when it names the draft store.
    public var envelope: RecordLocation?
    /// For the draft store: whether the row is a kept copy (an `.archiveOnly` purge left it), a
    /// draft, or missing.
    public var draft: DraftState?
    public var mailboxIsDrafts: Bool

    public enum DraftState: Sendable, Hashable { case draft, keptCopy, missing }
}

extension Catalog {
    /// Opens an existing catalog for reading only (`tresor verify`): no migration, no write. Throws
    /// when the file does not exist.
    public static func openForReading(path: URL) throws -> Catalog {
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw CatalogError.missing(path: path.path)
        }
        return try Catalog(path: path, readOnly: true)
    }

    /// Opens an existing catalog for a command that only reads, leaving no trace when it can: with
    /// no server holding it (`inUse` false) and no WAL content, immutable (no lock, no `-wal` or
    /// `-shm` file created); otherwise read-only, joining the side files a server (or an unclean
    /// stop) left. Throws when the file does not exist.
    public static func openForReading(path: URL, inUse: Bool) throws -> Catalog {
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw CatalogError.missing(path: path.path)
        }
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path.path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        if !inUse && walSize == 0 { return try Catalog(location: immutableURI(path), readOnly: true) }
        return try Catalog(path: path, readOnly: true)
    }
}

extension CatalogMessages {
    /// Every delivery the catalog lists: its envelope record and message.
    public func deliveryLocations() async throws -> [(envelope: RecordLocation, sha256: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.envelope_segment, d.envelope_offset, m.sha256 FROM delivery d JOIN message m ON m.id = d.message
                """).map { row in
                (RecordLocation(segment: UInt32(row[0] as Int64), offset: UInt64(row[1] as Int64)), row[2])
            }
        }
    }
}

extension CatalogMessages {
    /// How many retention floors the catalog lists per envelope record.
    public func floorCounts() async throws -> [RecordLocation: Int] {
        try await pool.read { db in
            var counts: [RecordLocation: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT envelope_segment, envelope_offset, COUNT(*) FROM retention_floor GROUP BY 1, 2
                """) {
                counts[RecordLocation(segment: UInt32(row[0] as Int64), offset: UInt64(row[1] as Int64))] = row[2]
            }
            return counts
        }
    }
}

extension CatalogMailboxes {
    /// Every placement of every user, with what `verify` needs to tell whether it has a record.
    public func placementsToCheck() async throws -> [PlacementCheckRow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.email, b.name, mm.uid, mm.sha256, mm.envelope_segment, mm.envelope_offset,
                       lower(coalesce(b.special_use, '')) = '\\drafts', d.kept
                FROM mailbox_message mm JOIN mailbox b ON b.id = mm.mailbox JOIN user u ON u.id = b.user
                LEFT JOIN draft d ON mm.envelope_segment = 0 AND d.id = mm.envelope_offset
                ORDER BY u.email, b.name, mm.uid
                """).map { row in
                let segment: Int64 = row[4]
                let kept: Int64? = row[7]
                return PlacementCheckRow(
                    user: row[0], mailbox: row[1], uid: UInt32(row[2] as Int64), sha256: row[3],
                    envelope: segment == 0 ? nil : RecordLocation(segment: UInt32(segment), offset: UInt64(row[5] as Int64)),
                    draft: segment != 0 ? nil : kept == nil ? .missing : kept == 1 ? .keptCopy : .draft,
                    mailboxIsDrafts: row[6])
            }
        }
    }
}
