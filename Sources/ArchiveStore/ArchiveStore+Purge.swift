#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// Purging from the append-only archive: a purge record is journaled first (what goes and why),
/// then each sealed segment holding removed records is compacted into a new sealed segment with
/// stubs in their place. Logical offsets stay, so every `RecordLocation` a catalog row or an
/// envelope holds stays valid; the chain, the seals and HEAD stay valid too.
extension ArchiveStore {
    /// Journals a purge of `record.messages` (durable when this returns): the writer, under the
    /// archive lock, finds every body record of those SHA-256s and every envelope naming one, lists
    /// them in the record, appends it, drops the bodies from the dedup index (a later delivery of
    /// the same bytes stores them anew) and seals the active segment if it holds any of them.
    /// Returns the record's location and the record as written.
    public func journalPurge(_ record: PurgeRecord) async throws(ArchiveError) -> (location: RecordLocation, record: PurgeRecord) {
        let outcomes = try await submit([.purge(record)])
        switch outcomes.first {
        case .purgeJournaled(let location, let written)?: return (location, written)
        case .failed(let error)?: throw error
        default: preconditionFailure("writer answered a purge with \(outcomes)")
        }
    }

    /// Compacts sealed segment `segment`, replacing the records at these logical offsets with
    /// stubs (idempotent). Appends wait while it runs (it holds the archive lock).
    public func compact(segment: UInt32, removing offsets: Set<UInt64>) async throws(ArchiveError) -> CompactionResult {
        let outcomes = try await submit([.compact(segment: segment, offsets: offsets)])
        readers.forget(segment)
        switch outcomes.first {
        case .compacted(let result)?: return result
        case .failed(let error)?: throw error
        default: preconditionFailure("writer answered a compaction with \(outcomes)")
        }
    }

    /// Compacts every segment `record` names; returns one result per segment, in order.
    public func compact(after record: PurgeRecord) async throws(ArchiveError) -> [CompactionResult] {
        var results: [CompactionResult] = []
        for (segment, offsets) in record.offsetsBySegment.sorted(by: { $0.key < $1.key }) {
            results.append(try await compact(segment: segment, removing: offsets))
        }
        return results
    }

    /// The purge record at `location`.
    public func purgeRecord(at location: RecordLocation) throws(ArchiveError) -> PurgeRecord {
        let record = try readRecord(at: location)
        guard record.kind == .event, record.eventKind == .purge, let payload = record.eventPayload,
            let purge = PurgeRecord.decode(payload)
        else {
            throw .corrupted(file: SegmentName.fileName(location.segment), offset: location.offset,
                             reason: "not a purge record")
        }
        return purge
    }

    /// Every purge record in segments `segment` and later, in archive order.
    public func purgeRecords(fromSegment segment: UInt32) throws -> [(location: RecordLocation, record: PurgeRecord)] {
        var found: [(location: RecordLocation, record: PurgeRecord)] = []
        let numbers = try segmentNumbers().filter { $0 >= segment }
        guard let first = numbers.first else { return [] }
        try forEachRecord(from: first) { record in
            if record.kind == .event, record.eventKind == .purge, let payload = record.eventPayload,
                let purge = PurgeRecord.decode(payload)
            {
                found.append((record.location, purge))
            }
        }
        return found
    }

    /// The segment numbers on disk, ascending (the last one is the active segment).
    public func segmentNumbers() throws(ArchiveError) -> [UInt32] {
        try FileIO.listDirectory(archiveDirectory).compactMap(SegmentName.number(of:)).sorted()
    }

    /// Bytes of every file in `DATA/archive/` (segments, HEAD, LOCK): what a purge should shrink.
    public func bytesOnDisk() throws(ArchiveError) -> UInt64 {
        try FileIO.listDirectory(archiveDirectory).reduce(0) { $0 + (FileIO.size(atPath: archiveDirectory + "/" + $1) ?? 0) }
    }
}
