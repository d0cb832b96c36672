import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `DIR/backup.json`: what a backup made by `tresor backup` holds, so that `tresor restore` (or
/// anyone with `sha256sum -c SHA256SUMS`) can tell a complete, unaltered copy from anything else.
/// Canonical JSON (sorted keys), files sorted by path.
public struct BackupManifest: Codable, Sendable, Hashable {
    public static let fileName = "backup.json"
    /// `sha256sum` input beside it, for checking without Tresor.
    public static let sumsFileName = "SHA256SUMS"
    /// Present while a backup is being written; a folder with it is no backup.
    public static let incompleteFileName = "INCOMPLETE"
    public static let currentFormat = "tresor-backup-v1"

    /// One copied file.
    public struct File: Codable, Sendable, Hashable {
        /// Relative to the data directory (and to the backup folder), `/`-separated.
        public var path: String
        public var bytes: UInt64
        /// Permission bits, restored as they were (sealed segments 0444, private keys 0600).
        public var mode: UInt32
        public var sha256: String
    }

    /// The archive's newest state in the copy, as its HEAD names it.
    public struct ArchiveState: Codable, Sendable, Hashable {
        public var segment: UInt32
        public var length: UInt64
        public var records: UInt64
        public var chain: String
    }

    public var format: String
    /// `2026-12-07T10:00:00Z`.
    public var created: String
    /// The data directory the copy was taken of.
    public var source: String
    public var archive: ArchiveState?
    /// Where the private seal key is kept when it is outside the data directory (then it is not in
    /// the backup, and must be kept safe on its own); nil when it is in `keys/` and copied.
    public var sealKeyOutside: String?
    public var files: [File]

    public var totalBytes: UInt64 { files.reduce(0) { $0 + $1.bytes } }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) -> BackupManifest? {
        try? JSONDecoder().decode(BackupManifest.self, from: Data(bytes))
    }

    /// `HASH  PATH` lines, as `sha256sum` writes and `sha256sum -c` reads them.
    public var sums: String {
        files.map { "\($0.sha256)  \($0.path)\n" }.joined()
    }
}

/// Why a backup or a restore did not happen, or what a backup failed.
public enum BackupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The destination exists and holds something.
    case destinationNotEmpty(path: String)
    /// No readable `backup.json`.
    case notABackup(path: String, reason: String)
    /// `INCOMPLETE` is there: the backup was interrupted.
    case incomplete(path: String)
    /// Files that differ from the manifest: altered, missing or added.
    case tampered(problems: [String])
    /// A file operation failed.
    case io(String)

    public var description: String {
        switch self {
        case .destinationNotEmpty(let path):
            "\(path) is not empty: give a new or empty folder (nothing is ever overwritten)"
        case .notABackup(let path, let reason): "\(path) is not a Tresor backup: \(reason)"
        case .incomplete(let path):
            "\(path) holds an interrupted backup (\(BackupManifest.incompleteFileName) is there); take a new one"
        case .tampered(let problems):
            "the backup does not match its manifest (\(problems.count) problem(s)); nothing was restored:\n  "
                + problems.joined(separator: "\n  ")
        case .io(let reason): reason
        }
    }
}
