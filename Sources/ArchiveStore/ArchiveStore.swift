import StoreModel
/// ArchiveStore: the record of truth. An append-only, compressed, hash-chained, signed
/// archive of segment files under `DATA/archive/`.
///
/// Invariants
/// - Append-only: bytes of a segment, once fsynced, are never changed; only a torn tail
///   (bytes never acknowledged) is cut on open. A sealed segment is mode 0444 and never
///   written again. Exactly one segment, the newest, is unsealed.
/// - Purges are the one exception, and leave a trace: a purge record (event kind 2) is
///   journaled first, naming every record it removes; then compaction replaces a SEALED segment
///   by a new sealed file (written as `segment-N.tsa.compacting`, fsynced, renamed over it, the
///   directory fsynced) in which exactly those records are stubs. Every record keeps its logical
///   offset (its `RecordLocation`), its chain value and its place in the chain, so locations in
///   the catalog and in envelopes, the seals and HEAD all stay valid. A leftover `.compacting`
///   file (a crash before the rename) is deleted on open. Compaction runs on the writer thread
///   under the lock; readers notice the replaced file by its inode.
/// - Durability order (STYLE.md 11): frames are written with one pwrite per batch, then
///   fsync; a new segment file is fsynced with its directory; only then is HEAD rewritten, the
///   dedup index updated and the callers resumed. A failed fsync is never retried: the store
///   refuses appends until reopened, and reopening recovers from the files.
/// - Group commit: callers hash and compress (through `BlockingWork.cpu`, off the cooperative pool)
///   and enqueue; one writer thread (not the Swift concurrency pool) writes all that is pending with
///   one fsync.
/// - Processes: writers serialise on `flock(DATA/archive/LOCK)`, held around recovery and each
///   batch; a writer first reads what others appended since its last batch.
/// - A body is stored once per SHA-256 of its raw bytes (dedup); every delivery writes an
///   envelope record naming its body.
/// - Every record extends the chain: chain = SHA-256(previous chain ‖ record hash).
///
/// On-disk layout (format version 1, all integers big-endian)
/// ```
/// DATA/keys/archive.ed25519(.pub)   Ed25519 seal key, hex (see ArchiveKey); the private key may be
///                                   kept outside the data directory (see SealKeyFiles)
/// DATA/archive/LOCK                 empty; flock'ed by writers
/// DATA/archive/HEAD                 last acknowledged state, signed (see ArchiveHead)
/// DATA/archive/segment-00000001.tsa segments, numbered from 1 without gaps
/// DATA/archive/segment-0000000N.tsa.compacting   a compaction in progress (never read)
/// DATA/anchors/                    copies of the journaled time stamps (see AnchorCopies)
///
/// segment header (60 bytes)
///   magic "TRESORSG" (8) | format version u16 = 1, or 2 for a compacted segment |
///   dictionary version u16 |
///   segment number u32 | created at, ms since 1970 UTC, i64 |
///   start chain (32): segment 1: SHA-256("tresor-archive-genesis-v1" ‖ public key),
///                     else the previous segment's final chain value |
///   CRC-32 of the 56 bytes before it, u32
/// record (at a byte offset = its RecordLocation), repeated to the end of the file (format 1)
///   or of the frames (format 2, see below)
///   length u32 (bytes from kind to the end of payload) | kind u8 (1 body, 2 envelope,
///   3 event, 4 seal, 5 purged stub) | flags u8 (bit 0: payload is raw deflate with the segment's
///   dictionary) | raw size u64 | content hash (32) | chain (32) | payload | CRC-32 u32 of
///   everything from the length field to the end of the payload
///   content hash: SHA-256 of the raw message (body), else of the payload
///   record hash: SHA-256(kind ‖ flags ‖ raw size ‖ content hash ‖ payload); for a purged
///                stub, the removed record's hash, which the stub keeps
///   chain: SHA-256(previous chain ‖ record hash)
/// payloads
///   body      the message, raw deflate (RFC 1951) with the preset dictionary, or stored
///             as is when that is not smaller
///   envelope  canonical JSON: {"body":"seg:off","envelope":{…},"sha256":hex,"size":n}
///   event     event kind u8 ‖ the caller's bytes (JSON)
///             (kind 7, anchor: an RFC 3161 token of a point of the chain, see AnchorRecord)
///   seal      segment u32 | records before the seal u32 | chain before the seal (32) |
///             sealed at ms i64 | Ed25519 signature (64) over "tresor-seal-v1" ‖ those fields, by
///             the seal key in effect (below). Only ever the last record of a segment.
///   purged    what compaction leaves of a removed body or envelope: the frame keeps the
///             original raw size, content hash and chain value; payload = original kind u8 |
///             original flags u8 | original record hash (32) | original frame length u32
///   purge event (event kind 2) canonical JSON (sorted keys, ms times), see PurgeRecord:
///             {"actor","id","messages":[{"policy","scope","sha256"}],"reason",
///              "removed":[{"contentHash","kind","length","location":"seg:off","recordHash",
///              "sha256"}],"time"}; journaled before any of the records it names is removed
///   key rotation event (event kind 8) canonical JSON, see KeyRotationRecord:
///             {"new","newSignature","old","oldSignature","time"}; both keys sign "tresor-key-rotation-v1"
///             ‖ the chain value before the record ‖ old key ‖ new key ‖ time. The seal key in effect
///             is the key whose genesis value starts segment 1 (the root), and after each rotation
///             record its new key: every seal and HEAD is signed by the key in effect at its place.
/// compacted segment (format version 2)
///   header (version 2, otherwise the original's) | the frames in their original order, each
///   copied byte for byte or replaced by its stub | offset table: per record, logical offset u64
///   | physical offset u64 | trailer (28 bytes): table offset u64 | entry count u64 | CRC-32 u32
///   of the table and the two fields before it | magic "TRESORCT"
///   A record's logical offset is the sum of the original lengths before it (a stub counts its
///   original frame length), which `verify` recomputes against the table; every stub must be
///   named, with the same location, kind, record hash, content hash and length, by a purge record.
/// ```
/// A segment is sealed when its next record would take it past `segmentSizeLimit`, when its
/// creation day (UTC) is before today, or on request.
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public final class ArchiveStore: Sendable {
    public let dataDirectory: URL
    public let configuration: ArchiveConfiguration
    let archiveDirectory: String
    let logger: Logger
    let shared = SharedState()
    let queue = WriterQueue()
    let readers: SegmentReaders

    /// Opens (creating `DATA/archive/` if needed) the archive of a data directory; loads the seal
    /// key in effect (see `SealKeyFiles` for where it is kept); recovers a torn tail; builds the in-memory dedup index (SHA-256 →
    /// body location) by scanning record headers.
    public init(
        dataDirectory: URL, configuration: ArchiveConfiguration = .init(),
        logger: Logger = Logger(label: "tresor.archive")
    ) throws(ArchiveError) {
        self.dataDirectory = dataDirectory
        self.configuration = configuration
        self.logger = logger
        let archive = dataDirectory.appendingPathComponent("archive", isDirectory: true)
        self.archiveDirectory = archive.path
        self.readers = SegmentReaders(directory: archive.path)
        let writer: ArchiveWriter
        do {
            try FileIO.makeDirectory(archive, mode: 0o755)
            writer = try ArchiveWriter(
                directory: archive.path, keyFiles: SealKeyFiles(dataDirectory: dataDirectory, configuredPath: configuration.sealKeyPath),
                configuration: configuration, logger: logger, shared: shared)
        } catch {
            // No writer thread will run: let deinit's close() find everything finished.
            shared.state.withLock { $0.closed = true }
            queue.markFinished()
            throw error
        }
        let queue = self.queue
        let maximumBatch = max(2, configuration.maximumBatch)
        startThread {
            while let batch = queue.take(maximumRecords: maximumBatch) { writer.process(batch) }
            writer.closeFiles()
            queue.markFinished()
        }
    }

    deinit { close() }

    /// Stops the writer after it has written what is pending; later appends throw `.closed`.
    /// Safe to call more than once.
    public func close() {
        let first = shared.state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        queue.close()
        queue.waitUntilFinished()
        readers.closeAll()
    }

    // MARK: - Appending

    /// Hashes and compresses in the caller's task (compression skipped when the body is
    /// already stored).
    func prepare(_ raw: [UInt8], envelope: Envelope) throws(ArchiveError) -> PreparedMessage {
        guard raw.count <= configuration.maximumMessageSize else {
            throw .tooLarge(size: raw.count, limit: configuration.maximumMessageSize)
        }
        let hash = sha256(raw)
        let known = shared.location(of: ContentHash(hash)) != nil
        let compressed = known ? nil : Self.compress(raw, level: configuration.compressionLevel, dictionary: configuration.dictionary)
        return PreparedMessage(raw: raw, hash: hash, compressed: compressed, envelope: envelope)
    }

    /// Deflate, unless that does not make the body smaller.
    static func compress(_ raw: [UInt8], level: Int32, dictionary: DeflateDictionary)
        -> (bytes: [UInt8], deflated: Bool, dictionaryVersion: UInt16)
    {
        let deflated = Deflate.compress(raw, level: level, dictionary: dictionary)
        if deflated.count < raw.count { return (deflated, true, dictionary.version) }
        return (raw, false, dictionary.version)
    }

    /// Hashing and compression are CPU work: they run through `BlockingWork.cpu`, off the
    /// cooperative pool, in the caller's turn (the writer thread only writes and fsyncs).
    func prepareOffPool(_ messages: [(raw: [UInt8], envelope: Envelope)]) async throws(ArchiveError) -> [PendingItem] {
        do {
            return try await BlockingWork.cpu.run {
                try messages.map { message throws(ArchiveError) in
                    PendingItem.message(try self.prepare(message.raw, envelope: message.envelope))
                }
            }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw .storeFailed("\(error)")
        }
    }

    /// Hands items to the writer and waits until they are durable.
    func submit(_ items: [PendingItem]) async throws(ArchiveError) -> [ItemOutcome] {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[ItemOutcome], ArchiveError>, Never>) in
            if let failure = shared.state.withLock({ $0.closed ? ArchiveError.closed : $0.failure.map(ArchiveError.storeFailed) }) {
                continuation.resume(returning: .failure(failure))
            } else if !queue.enqueue(PendingRequest(items: items, continuation: continuation)) {
                continuation.resume(returning: .failure(.closed))
            }
        }
        return try result.get()
    }

    /// Journals one delivery: body record (only if this SHA-256 is new) + envelope record.
    /// Returns only when durable (fsync'd). Concurrent callers share one write+fsync (group commit).
    public func append(message raw: [UInt8], envelope: Envelope) async throws(ArchiveError) -> AppendReceipt {
        let outcomes = try await submit(try await prepareOffPool([(raw, envelope)]))
        guard case .message(let receipt) = outcomes.first else { preconditionFailure("writer answered a message with \(outcomes)") }
        return receipt
    }

    /// One batch (import): all messages become durable together, in order.
    public func append(messages: [(raw: [UInt8], envelope: Envelope)]) async throws(ArchiveError) -> [AppendReceipt] {
        return try await submit(try await prepareOffPool(messages)).map { outcome in
            guard case .message(let receipt) = outcome else { preconditionFailure("writer answered a message with \(outcome)") }
            return receipt
        }
    }

    /// Journals an event (audit, purge, …); the payload is opaque JSON from the caller.
    public func append(event kind: ArchiveEventKind, payload: [UInt8]) async throws(ArchiveError) -> RecordLocation {
        precondition(kind != .keyRotation, "a key rotation is journaled by rotateSealKey, which switches the key")
        let outcomes = try await submit([.event(kind: kind, payload: payload)])
        guard case .event(let location) = outcomes.first else { preconditionFailure("writer answered an event with \(outcomes)") }
        return location
    }

    /// Journals several events in one group commit, in order; their locations in the same order.
    public func append(events: [(kind: ArchiveEventKind, payload: [UInt8])]) async throws(ArchiveError)
        -> [RecordLocation]
    {
        guard !events.isEmpty else { return [] }
        precondition(!events.contains { $0.kind == .keyRotation }, "a key rotation is journaled by rotateSealKey")
        return try await submit(events.map { .event(kind: $0.kind, payload: $0.payload) }).map { outcome in
            guard case .event(let location) = outcome else { preconditionFailure("writer answered an event with \(outcome)") }
            return location
        }
    }

    /// Seals the active segment now and starts the next one.
    public func sealActiveSegment() async throws(ArchiveError) {
        _ = try await submit([.seal])
    }

    // MARK: - Reading

    public func containsBody(sha256: String) -> Bool { bodyLocation(sha256: sha256) != nil }

    public func bodyLocation(sha256: String) -> RecordLocation? {
        guard let hash = ContentHash(hex: sha256) else { return nil }
        return shared.location(of: hash)
    }

    /// The raw message of the body record at `location`: inflated, SHA-256 checked, size-capped.
    public func readBody(at location: RecordLocation) throws(ArchiveError) -> [UInt8] {
        let (frame, dictionary) = try readers.frame(at: location)
        if frame.isPurgedStub { throw .purged(location) }
        guard frame.kind == ArchiveRecordKind.body.rawValue else { throw .notABody(location) }
        return try Self.bodyBytes(
            of: frame, dictionary: dictionary, maximumSize: configuration.maximumMessageSize,
            file: SegmentName.fileName(location.segment), offset: location.offset)
    }

    static func bodyBytes(
        of frame: RecordFrame, dictionary: DeflateDictionary, maximumSize: Int, file: String, offset: UInt64
    ) throws(ArchiveError) -> [UInt8] {
        guard frame.rawSize <= UInt64(maximumSize) else { throw .tooLarge(size: Int(clamping: frame.rawSize), limit: maximumSize) }
        let raw: [UInt8]
        if frame.flags.contains(.deflated) {
            do {
                raw = try Deflate.inflate(frame.payload, dictionary: dictionary, maximumSize: Int(frame.rawSize))
            } catch {
                throw .corrupted(file: file, offset: offset, reason: "body does not inflate: \(error)")
            }
        } else {
            raw = frame.payload
        }
        guard raw.count == Int(frame.rawSize), sha256(raw) == frame.contentHash else {
            throw .corrupted(file: file, offset: offset, reason: "body SHA-256 mismatch")
        }
        return raw
    }

    /// Nil when the archive has no such body, or no longer has it (purged; this process's index
    /// learns of another process's purge at its next append).
    public func readBody(sha256: String) throws(ArchiveError) -> [UInt8]? {
        guard let location = bodyLocation(sha256: sha256) else { return nil }
        do {
            return try readBody(at: location)
        } catch .purged {
            return nil
        }
    }

    public func readRecord(at location: RecordLocation) throws(ArchiveError) -> ArchiveRecord {
        let (frame, _) = try readers.frame(at: location)
        guard let record = ArchiveRecord(frame: frame, location: location) else {
            throw .corrupted(file: SegmentName.fileName(location.segment), offset: location.offset,
                             reason: "record payload does not decode")
        }
        return record
    }

    /// Every record in archive order (for `tresor reindex`): kind, location, body sha256,
    /// decoded envelope or event payload. Streams one record at a time, CRC checked.
    /// With `after`, the records that follow that record only (a record's location is a frame
    /// boundary), so that a catch-up reads what is new instead of the whole archive.
    /// Purged records appear as stubs (kind `.purged`), at their logical locations.
    public func forEachRecord(after start: RecordLocation? = nil, _ body: (ArchiveRecord) throws -> Void) throws {
        try forEachRecord(after: start, fromSegment: 1, body)
    }

    /// Every record of segment `segment` and the later ones, in archive order.
    public func forEachRecord(from segment: UInt32, _ body: (ArchiveRecord) throws -> Void) throws {
        try forEachRecord(after: nil, fromSegment: segment, body)
    }

    private func forEachRecord(after start: RecordLocation?, fromSegment: UInt32, _ body: (ArchiveRecord) throws -> Void) throws {
        let numbers = try FileIO.listDirectory(archiveDirectory).compactMap(SegmentName.number(of:)).sorted()
            .filter { (start == nil || $0 >= start!.segment) && $0 >= fromSegment }
        for number in numbers {
            let path = archiveDirectory + "/" + SegmentName.fileName(number)
            var scanner = if let start, start.segment == number {
                try SegmentScanner(path: path, offset: start.offset)
            } else {
                try SegmentScanner(path: path)
            }
            loop: while true {
                switch try scanner.next(checkCRC: true) {
                case .record(let scanned):
                    let location = RecordLocation(segment: number, offset: scanned.offset)
                    if let start, location == start { continue loop }
                    guard let record = ArchiveRecord(frame: scanned.frame, location: location) else {
                        throw ArchiveError.corrupted(file: SegmentName.fileName(number), offset: scanned.offset,
                                                     reason: "record payload does not decode")
                    }
                    try body(record)
                case .end:
                    break loop
                case .damaged(let offset, let reason, let incomplete):
                    // The newest segment may be growing under another process's writer.
                    if incomplete && number == numbers.last { break loop }
                    throw ArchiveError.corrupted(file: SegmentName.fileName(number), offset: offset, reason: reason)
                }
            }
        }
    }

    public var statistics: ArchiveStatistics { shared.state.withLock { $0.statistics } }

    /// The newest durable point of the chain this process knows (what another process appended
    /// is known from this one's next batch on), with the counts that go with it; no I/O.
    public var tip: ArchiveTip {
        shared.state.withLock { state in
            ArchiveTip(last: state.last, lastNonAnchor: state.lastNonAnchor, records: state.statistics.records,
                       sealedSegments: state.statistics.sealedSegments)
        }
    }
}
