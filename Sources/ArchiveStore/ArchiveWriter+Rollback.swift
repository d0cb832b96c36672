#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// What a batch may change of the active segment before it is durable, taken before the batch so
/// that a batch whose write failed can be undone.
struct ActiveSegmentState {
    let segment: UInt32
    let length: UInt64
    let recordCount: UInt32
    let chain: [UInt8]
    let sealed: Bool
    let lastRecord: RecordLocation?
    let lastNonAnchor: RecordLocation?
    /// fsyncs of the batch so far: one more means part of the batch may be durable.
    let fsyncs: Int
    /// What catching up with other processes staged for this batch (their records are durable).
    let staged: [ContentHash: RecordLocation]
    let stagedStatistics: ArchiveStatistics
    let stagedPurges: [(hash: ContentHash, location: RecordLocation)]
    let purgedLocations: Set<RecordLocation>

    init(_ writer: ArchiveWriter) {
        segment = writer.segment
        length = writer.length
        recordCount = writer.recordCount
        chain = writer.chain
        sealed = writer.sealed
        lastRecord = writer.lastRecord
        lastNonAnchor = writer.lastNonAnchor
        fsyncs = writer.stagedStatistics.fsyncs
        staged = writer.staged
        stagedStatistics = writer.stagedStatistics
        stagedPurges = writer.stagedPurges
        purgedLocations = writer.purgedLocations
    }
}

extension ArchiveWriter {
    /// A write that failed before anything of the batch was made durable — a full disk (ENOSPC),
    /// a quota (EDQUOT), another I/O error of `pwrite` or of creating a segment — fails only this
    /// batch: the bytes it put in the segment are cut off at the length before it, exactly as
    /// recovery cuts a torn tail after a crash, and the writer's view of the segment is put back,
    /// so the next batch writes as if this one had never been. Its callers get the error (SMTP
    /// answers 452 4.3.1 or 451 4.3.0; nothing was acknowledged), and appends succeed again as
    /// soon as the disk has room, without a restart.
    ///
    /// A failed fsync is never undone this way: the kernel may have dropped the dirty pages while
    /// the page cache still shows them (fsyncgate), so only reopening the store can tell what is on
    /// disk. Neither is a batch that already fsynced part of itself (a seal on the way), nor one
    /// with items whose effects reach past the segment (seals, purges, compactions, key
    /// rotations; see `PendingItem.undoable`). False for those: the caller marks the store failed.
    func rollBack(to before: ActiveSegmentState, after error: ArchiveError) -> Bool {
        guard case .io(let operation, _, let code) = error, operation == "pwrite" || operation == "create",
            stagedStatistics.fsyncs == before.fsyncs, segment == before.segment
        else { return false }
        do {
            if try FileIO.size(of: fd, path: path) > before.length {
                try FileIO.truncate(fd, path: path, to: before.length)
                try sync(fd, path: path)
            }
        } catch {
            logger.error("could not cut a failed write from the archive", metadata: ["error": "\(error)"])
            return false
        }
        length = before.length
        recordCount = before.recordCount
        chain = before.chain
        sealed = before.sealed
        lastRecord = before.lastRecord
        lastNonAnchor = before.lastNonAnchor
        buffer = []
        staged = before.staged
        stagedStatistics = before.stagedStatistics
        stagedPurges = before.stagedPurges
        purgedLocations = before.purgedLocations
        // What another process appended, read before the failed write, is durable: publish it.
        publishStaged()
        let full = code == ENOSPC || code == EDQUOT
        logger.error(full ? "archive disk full; the batch is deferred" : "archive write failed; the batch is deferred",
                     metadata: ["error": "\(error)", "file": "\(SegmentName.fileName(segment))", "length": "\(length)"])
        return true
    }
}
