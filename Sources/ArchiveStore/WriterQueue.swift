#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// One item of work for the writer, prepared in the caller's task: hashing and compression
/// happen before enqueueing so that the writer thread only frames, writes and fsyncs.
enum PendingItem: Sendable {
    case message(PreparedMessage)
    case event(kind: ArchiveEventKind, payload: [UInt8])
    case seal
    /// Journals a purge record; the writer finds the records to remove under the lock.
    case purge(PurgeRecord)
    /// Rewrites a sealed segment with stubs for the records at these logical offsets.
    case compact(segment: UInt32, offsets: Set<UInt64>)
    /// Journals a key rotation to this key (already durable in its file) and seals with it from then on.
    case rotateKey(ArchiveKey)
    /// Writes nothing: reads what other processes appended, and answers with the seal keys in effect.
    case catchUp

    /// How many records the item may write (for the batch bound).
    var recordCount: Int {
        switch self {
        case .message: 2
        case .event, .seal, .purge, .compact, .rotateKey: 1
        case .catchUp: 0
        }
    }

    /// Whether a failed write of the item can be undone by cutting the segment back
    /// (`ArchiveWriter.rollBack`): records whose only effect is their bytes and the chain.
    var undoable: Bool {
        switch self {
        case .message, .event, .catchUp: true
        case .seal, .purge, .compact, .rotateKey: false
        }
    }

    /// Whether the item writes nothing.
    var onlyReads: Bool {
        switch self {
        case .catchUp: true
        case .message, .event, .seal, .purge, .compact, .rotateKey: false
        }
    }
}

struct PreparedMessage: Sendable {
    var raw: [UInt8]
    var hash: [UInt8]
    /// The compressed body and the dictionary used; nil when the body was already stored at
    /// enqueue time (the writer compresses after all if it turns out to be new).
    var compressed: (bytes: [UInt8], deflated: Bool, dictionaryVersion: UInt16)?
    var envelope: Envelope
}

enum ItemOutcome: Sendable {
    case message(AppendReceipt)
    case event(RecordLocation)
    case sealed
    case purgeJournaled(RecordLocation, PurgeRecord)
    case compacted(CompactionResult)
    case keyRotated(VerifiedKeyRotation)
    /// The seal key in effect and the chain of keys, after catching up.
    case sealKeys(ArchiveKey, SealKeyChain)
    /// A purge scan or a compaction failed before changing anything: only that caller fails.
    case failed(ArchiveError)
}

/// A caller waiting for its items to become durable.
struct PendingRequest: Sendable {
    var items: [PendingItem]
    var continuation: CheckedContinuation<Result<[ItemOutcome], ArchiveError>, Never>

    var recordCount: Int { items.reduce(0) { $0 + $1.recordCount } }
}

/// The hand-off between callers and the writer thread: a queue under a pthread mutex with a
/// condition variable. Callers never block here beyond the mutex; the writer thread blocks in
/// `take` while nothing is pending, so fsync never runs on the Swift concurrency pool.
final class WriterQueue: @unchecked Sendable {  // every stored property is guarded by `mutex`
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [PendingRequest] = []
    private var closing = false
    private var finished = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// False once the store is closing: the caller must fail the request itself.
    func enqueue(_ request: PendingRequest) -> Bool {
        locked {
            guard !closing else { return false }
            pending.append(request)
            pthread_cond_broadcast(condition)
            return true
        }
    }

    /// Blocks until work is pending; takes whole requests up to `maximumRecords` records (at
    /// least one request). Nil once closing and drained.
    func take(maximumRecords: Int) -> [PendingRequest]? {
        locked {
            while pending.isEmpty && !closing { pthread_cond_wait(condition, mutex) }
            if pending.isEmpty { return nil }
            var count = 0
            var taken = 0
            while taken < pending.count {
                let next = pending[taken].recordCount
                if taken > 0 && count + next > maximumRecords { break }
                count += next
                taken += 1
            }
            let batch = Array(pending[0..<taken])
            pending.removeFirst(taken)
            return batch
        }
    }

    /// Stops accepting work; the writer drains what is pending, then finishes.
    func close() {
        locked {
            closing = true
            pthread_cond_broadcast(condition)
        }
    }

    func markFinished() {
        locked {
            finished = true
            pthread_cond_broadcast(condition)
        }
    }

    func waitUntilFinished() {
        locked {
            while !finished { pthread_cond_wait(condition, mutex) }
        }
    }
}
