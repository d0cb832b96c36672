#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The payload of a purge event (event kind `.purge`): what one purge removed and why. Journaled
/// BEFORE any record is removed (the intent), in the hash chain like every record, so it cannot be
/// altered or dropped unnoticed. `verify` lists these and checks that every purged stub it finds
/// is named here with the same location, kind, record hash, content hash and frame length.
/// Canonical JSON: sorted keys, no escaped slashes, times in milliseconds since 1970.
public struct PurgeRecord: Codable, Sendable, Hashable {
    /// One record removed from the archive.
    public struct Removed: Codable, Sendable, Hashable {
        /// Its logical location, `"segment:offset"`.
        public var location: RecordLocation
        /// The kind it had (1 body, 2 envelope).
        public var kind: UInt8
        /// Hex SHA-256 the chain commits to (see ArchiveStore.swift).
        public var recordHash: String
        /// Hex content hash of the frame: the message's SHA-256 for a body.
        public var contentHash: String
        /// Bytes of the frame, length field and CRC included.
        public var length: UInt32
        /// For a body, the message's SHA-256; for an envelope, the SHA-256 of the body it named.
        public var sha256: String

        public init(location: RecordLocation, kind: UInt8, recordHash: String, contentHash: String, length: UInt32,
                    sha256: String) {
            self.location = location
            self.kind = kind
            self.recordHash = recordHash
            self.contentHash = contentHash
            self.length = length
            self.sha256 = sha256
        }

        /// "body", "envelope", or the kind's number.
        public var kindName: String {
            switch kind {
            case 1: "body"
            case 2: "envelope"
            default: "kind \(kind)"
            }
        }
    }

    /// A message asked for but left in the archive: an envelope's retention floor protects it.
    public struct Protected: Codable, Sendable, Hashable {
        public var sha256: String
        /// The latest floor among its envelopes.
        public var until: Date

        public init(sha256: String, until: Date) {
            self.sha256 = sha256
            self.until = until
        }
    }

    /// Unique per purge; the catalog's `purge` row has the same.
    public var id: String
    public var time: Date
    public var actor: String
    public var reason: String
    /// The messages the purge was asked to remove (`expiredAt` omitted).
    public var messages: [PurgeItem]
    /// Filled by the archive's writer under its lock (callers pass []).
    public var removed: [Removed]
    /// Filled by the writer: messages asked for that a retention floor kept (absent when none).
    public var protected: [Protected]?

    public init(id: String, time: Date, actor: String, reason: String, messages: [PurgeItem], removed: [Removed] = []) {
        self.id = id
        self.time = time
        self.actor = actor
        self.reason = reason
        self.messages = messages
        self.removed = removed
    }

    /// The distinct policies named by the messages, sorted.
    public var policies: [String] { Array(Set(messages.map(\.policy))).sorted() }

    package func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return Array((try? encoder.encode(self)) ?? Data())
    }

    public static func decode(_ bytes: [UInt8]) -> PurgeRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(PurgeRecord.self, from: Data(bytes))
    }

    /// The removed records grouped by segment: what compaction must rewrite.
    public var offsetsBySegment: [UInt32: Set<UInt64>] {
        var result: [UInt32: Set<UInt64>] = [:]
        for record in removed { result[record.location.segment, default: []].insert(record.location.offset) }
        return result
    }
}
