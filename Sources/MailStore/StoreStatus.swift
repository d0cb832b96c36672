import ArchiveStore
import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `tresor status` reports of a data directory's storage, read without opening anything for
/// writing (see `MailStore.status`).
public struct StoreStatus: Sendable, Hashable {
    public struct Archive: Sendable, Hashable {
        public var segments: Int
        public var sealedSegments: Int
        /// Bytes of every segment file.
        public var bytes: UInt64
        /// Records HEAD names (nil without HEAD).
        public var records: UInt64?
        /// Distinct messages and deliveries indexed.
        public var messages: Int
        public var deliveries: Int
        /// When the newest sealed segment was sealed; nil while none is.
        public var lastSeal: Date?
    }

    public struct FullTextIndex: Sendable, Hashable {
        /// Every document of the current format (no rebuild pending).
        public var current: Bool
        /// Messages search does not find by their words yet.
        public var lag: Int
    }

    public struct Anchoring: Sendable, Hashable {
        /// The newest journaled time stamp (from the copies in `DATA/anchors/`): when the TSA
        /// stamped it, which TSA, and how many records the archive held then.
        public var lastStamp: Date?
        public var lastAuthority: String?
        public var lastStampRecords: Int?
        public var stamps: Int
    }

    public var archive: Archive
    /// Outbound queue rows per status (`queued`, `sending`, `delivered`, `failed`).
    public var queue: [String: Int]
    public var fullText: FullTextIndex
    /// How far the background attachment indexer is behind the archive.
    public var attachmentIndex: AttachmentIndexLag
    public var anchoring: Anchoring
    public var users: Int
    public var domains: Int
}

extension MailStore {
    /// The status of a data directory's storage, read from its files: the segment files and HEAD,
    /// the newest seal, the catalog (`Catalog.withReadOnlyView`: no side file appears, none
    /// changes) and the anchor copies. Writes nothing, creates nothing.
    /// `serverRunning`: whether a server holds the data directory (its catalog is then in WAL use).
    public static func status(dataDirectory: URL, serverRunning: Bool, clock: WallClock = .system)
        async throws(StorageFailure) -> StoreStatus
    {
        do {
            let files = try await BlockingWork.io.run { () throws -> FileState in
                let segments = try ArchiveFiles.segments(dataDirectory: dataDirectory)
                let head = try ArchiveHead.read(dataDirectory: dataDirectory)
                let anchors = try AnchorCopies.read(dataDirectory: dataDirectory).copies
                return FileState(segments: segments, records: head?.recordCount,
                                 lastSeal: ArchiveFiles.newestSealTime(dataDirectory: dataDirectory),
                                 lastAnchor: anchors.last?.anchor.record, anchors: anchors.count)
            }
            let now = clock.now()
            let (counts, attachmentLag) = try await Catalog.withReadOnlyView(
                path: catalogPath(in: dataDirectory), inUse: serverRunning
            ) { catalog in
                (try await catalog.status(), try await catalog.messages.attachmentIndexLag(now: now))
            }
            return StoreStatus(
                archive: .init(segments: files.segments.count, sealedSegments: files.segments.filter(\.sealed).count,
                               bytes: files.segments.reduce(0) { $0 + $1.bytes }, records: files.records,
                               messages: counts.messages, deliveries: counts.deliveries, lastSeal: files.lastSeal),
                queue: counts.queue,
                fullText: .init(current: counts.fullTextIsCurrent, lag: counts.fullTextLag),
                attachmentIndex: attachmentLag,
                anchoring: .init(lastStamp: files.lastAnchor?.genTime, lastAuthority: files.lastAnchor?.tsa,
                                 lastStampRecords: files.lastAnchor?.records, stamps: files.anchors),
                users: counts.users, domains: counts.domains)
        } catch let error as StorageFailure {
            throw error
        } catch {
            throw StorageFailure(error)
        }
    }
}

/// The file side of `MailStore.status`, read off the cooperative pool.
private struct FileState: Sendable {
    var segments: [ArchiveFiles.Segment]
    var records: UInt64?
    var lastSeal: Date?
    var lastAnchor: AnchorRecord?
    var anchors: Int
}
