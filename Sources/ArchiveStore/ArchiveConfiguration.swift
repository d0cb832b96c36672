#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// Tunables of one archive store, each with its reason.
public struct ArchiveConfiguration: Sendable {
    /// A segment is sealed before it would grow past this (a record larger than the limit gets
    /// a segment of its own). 64 MiB: small enough to copy and verify in a second or two.
    public var segmentSizeLimit: Int = 64 << 20
    /// Seal the active segment when its creation day (UTC) is before today, so that each sealed
    /// segment holds one day and daily seals bound what an attacker could rewrite unnoticed.
    public var sealAtDayBoundary: Bool = true
    /// zlib level for bodies; 6 is zlib's default trade-off.
    public var compressionLevel: Int32 = 6
    /// The preset dictionary new segments use (.none = version 0).
    public var dictionary: DeflateDictionary = .current
    /// Where the private seal key is (`seal_key` in `tresor.toml`); nil: where the data directory
    /// recorded it, else `DATA/keys/archive.ed25519` (see `SealKeyFiles`).
    public var sealKeyPath: String? = nil
    /// The clock for record times, seals and day boundaries (injected by tests).
    public var now: @Sendable () -> Date = { Date() }
    /// Records per group commit: bounds the memory of one batch and the latency of its fsync.
    public var maximumBatch: Int = 256
    /// The largest message accepted and inflated: caps hostile or corrupt records.
    public var maximumMessageSize: Int = 512 << 20
    /// Tests make fsync fail through this (it returns true to fail the call).
    var fsyncFault: (@Sendable () -> Bool)? = nil
    /// Tests make the writer's appends to a segment fail through this: an errno (ENOSPC, EDQUOT,
    /// EIO) makes the write put half of its bytes in the file and then fail with it, as a disk
    /// that fills in the middle of a write does; nil lets the write through.
    var writeFault: (@Sendable () -> Int32?)? = nil
    /// Called on the writer thread at each step of a compaction (crash tests slow it down here,
    /// to kill the process inside it).
    public var compactionObserver: (@Sendable (CompactionStep) -> Void)? = nil

    public init() {}
}

/// The steps of one segment's compaction, as `ArchiveConfiguration.compactionObserver` sees them.
public enum CompactionStep: Sendable, Hashable {
    /// Bytes of `segment-N.tsa.compacting` written so far.
    case writing(segment: UInt32, bytes: UInt64)
    /// The new file is complete and fsynced, not yet renamed over the segment.
    case written(segment: UInt32)
    /// Renamed over the segment, directory fsynced.
    case renamed(segment: UInt32)
}

/// Counters of one store, as seen by this process (records written by another process are
/// counted once this store has caught up with them, at its next batch).
public struct ArchiveStatistics: Sendable, Hashable {
    public var segments = 0
    public var sealedSegments = 0
    /// Every record, seals included.
    public var records = 0
    public var bodies = 0
    public var envelopes = 0
    public var events = 0
    /// Bytes of all segment files.
    public var bytesOnDisk: UInt64 = 0
    /// Bytes of all stored bodies before compression.
    public var rawBytes: UInt64 = 0
    /// fsync calls on segment files and the archive directory by this process.
    public var fsyncs = 0
    /// Group commits by this process.
    public var batches = 0
    /// Deliveries answered from the dedup index (body already stored).
    public var deduplicated = 0
    /// Stubs of purged records (in compacted segments).
    public var purged = 0

    public init() {}
}

/// A SHA-256 as a dictionary key: four words instead of a 32-element array.
struct ContentHash: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init(_ bytes: some Collection<UInt8>) {
        var reader = ByteReader(Array(bytes))
        a = reader.read(UInt64.self) ?? 0
        b = reader.read(UInt64.self) ?? 0
        c = reader.read(UInt64.self) ?? 0
        d = reader.read(UInt64.self) ?? 0
    }

    init?(hex: String) {
        guard let bytes = Hex.bytes(hex), bytes.count == 32 else { return nil }
        self.init(bytes)
    }
}
