import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
/// Everything the archive can fail with. I/O failures carry the operation, the path and errno
/// for the log; `corrupted` names the file and offset, like `verify`.
public enum ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    case io(operation: String, path: String, errno: Int32)
    case keyExists(path: String)
    case keyMissing(path: String)
    case invalidKey(path: String)
    case corrupted(file: String, offset: UInt64, reason: String)
    /// HEAD names more than the segments hold: acknowledged records are missing.
    case headAhead(file: String, reason: String)
    case noSuchRecord(RecordLocation)
    case notABody(RecordLocation)
    /// The record at this location was removed by a purge; only its stub remains.
    case purged(RecordLocation)
    /// Compaction rewrites sealed segments only.
    case notSealed(segment: UInt32)
    case tooLarge(size: Int, limit: Int)
    case compression(String)
    /// A write or fsync failed earlier; the store refuses appends until it is reopened (fsyncgate).
    case storeFailed(String)
    case closed
    /// A purge was asked for at a time earlier than the newest record: the clock was set back.
    case clockBehind(clock: Date, newestRecord: Date)

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno): "\(operation) failed on \(path): errno \(errno)"
        case .keyExists(let path): "an archive key already exists at \(path)"
        case .keyMissing(let path): "no archive key at \(path)"
        case .invalidKey(let path): "unreadable archive key at \(path)"
        case .corrupted(let file, let offset, let reason): "\(file) at byte \(offset): \(reason)"
        case .headAhead(let file, let reason): "\(file): \(reason)"
        case .noSuchRecord(let location): "no record at \(location)"
        case .notABody(let location): "the record at \(location) is not a message body"
        case .purged(let location): "the record at \(location) was purged"
        case .notSealed(let segment): "segment \(segment) is not sealed and cannot be compacted"
        case .tooLarge(let size, let limit): "\(size) bytes exceed the limit of \(limit)"
        case .compression(let reason): "deflate: \(reason)"
        case .storeFailed(let reason): "the archive store failed earlier and must be reopened: \(reason)"
        case .closed: "the archive store is closed"
        case .clockBehind(let clock, let newest):
            "the clock reads \(Timestamp.string(clock)), earlier than the newest archived record "
                + "(\(Timestamp.string(newest))): no purge while the clock is behind"
        }
    }
}
