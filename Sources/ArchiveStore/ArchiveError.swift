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
    /// The key file exists but cannot be read (permissions): the reason is the system's.
    case keyUnreadable(path: String, reason: String)
    /// A private key file that group or others may read or write (its mode, e.g. 0o644).
    case keyPermissions(path: String, mode: UInt32)
    /// A private seal key is still in `DATA/keys/` although the seal key is kept elsewhere.
    case privateKeyInDataDirectory(path: String, keptAt: String)
    /// Another process is rotating the seal key (it holds this lock file).
    case rotationInProgress(lock: String)
    /// The seal key file holds a key this archive is not sealed with (a wrong file, or a retired key).
    case sealKeyMismatch(path: String, reason: String)
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
        case .keyUnreadable(let path, let reason): "cannot read the archive's seal key at \(path): \(reason)"
        case .keyPermissions(let path, let mode):
            "the archive's seal key at \(path) is open to group or others (mode 0\(String(mode, radix: 8))): "
                + "make it mode 0600, owned by the user that runs Tresor"
        case .privateKeyInDataDirectory(let path, let keptAt):
            "a private seal key is still at \(path), although the seal key is kept at \(keptAt): remove it from the "
                + "data directory (shred it), so that the data directory holds public keys only"
        case .rotationInProgress(let lock): "another key rotation is running (it holds \(lock))"
        case .sealKeyMismatch(let path, let reason): "the seal key at \(path) is not this archive's: \(reason)"
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
