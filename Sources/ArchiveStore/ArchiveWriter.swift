import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// The single writer of one store: the active segment's file descriptor, length, record count
/// and chain head. Created (with recovery) by `ArchiveStore.init`, then confined to the writer
/// thread, hence `@unchecked Sendable`: no two threads ever touch it at once.
final class ArchiveWriter: @unchecked Sendable {
    let directory: String
    /// Where the private seal key is read from (at open, and when another process rotated it).
    let keyFiles: SealKeyFiles
    /// The seal key in effect at the end of the archive: it signs seals and HEAD. Nil only while
    /// `openArchive` has not yet found out which key that is.
    var key: ArchiveKey?
    /// The archive's chain of seal keys as read so far; nil while opening, until the root is known.
    var sealKeys: SealKeyChain?
    let configuration: ArchiveConfiguration
    let logger: Logger
    let shared: SharedState
    /// `DATA/archive/LOCK`, flocked around recovery and each batch (serialises processes).
    let lockFD: Int32

    // The active segment.
    var segment: UInt32 = 0
    var fd: Int32 = -1
    var path = ""
    var header = SegmentHeader(dictionaryVersion: 0, segment: 0, createdAt: 0, startChain: [])
    var dictionary = DeflateDictionary.none
    /// Bytes of the active segment known to hold complete records.
    var length: UInt64 = 0
    /// Records in the active segment (the seal included once written).
    var recordCount: UInt32 = 0
    var chain: [UInt8] = []
    var sealed = false
    /// The newest record of the archive (in any segment), and the newest that is not an anchor:
    /// published with the batch as the store's `tip`.
    var lastRecord: RecordLocation?
    var lastNonAnchor: RecordLocation?

    /// Frames not yet written, starting at `length`.
    var buffer: [UInt8] = []
    /// Index entries and counters of the batch, published only after its fsync.
    var staged: [ContentHash: RecordLocation] = [:]
    var stagedStatistics = ArchiveStatistics()
    /// Bodies purge records (ours or another process's) removed since the last publish: they
    /// leave the dedup index at publish, before `staged` is added, so a body written again after
    /// the purge takes their place; `write` never deduplicates against them meanwhile.
    var stagedPurges: [(hash: ContentHash, location: RecordLocation)] = []
    var purgedLocations: Set<RecordLocation> = []

    init(directory: String, keyFiles: SealKeyFiles, configuration: ArchiveConfiguration, logger: Logger,
         shared: SharedState) throws(ArchiveError)
    {
        self.directory = directory
        self.keyFiles = keyFiles
        self.configuration = configuration
        self.logger = logger
        self.shared = shared
        self.lockFD = try FileIO.open(directory + "/LOCK", flags: O_RDWR | O_CREAT, mode: 0o644)
        do {
            try withLock { () throws(ArchiveError) in try openArchive() }
        } catch {
            if fd >= 0 { Glibc.close(fd) }
            Glibc.close(lockFD)
            throw error
        }
    }

    func closeFiles() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        Glibc.close(lockFD)
    }

    func segmentPath(_ number: UInt32) -> String { directory + "/" + SegmentName.fileName(number) }

    // MARK: - Cross-process lock

    func withLock<T>(_ body: () throws(ArchiveError) -> T) throws(ArchiveError) -> T {
        while flock(lockFD, LOCK_EX) != 0 {
            if errno != EINTR { throw FileIO.fail("flock", directory + "/LOCK") }
        }
        defer { flock(lockFD, LOCK_UN) }
        return try body()
    }

    // MARK: - Open and recovery

    /// Indexes the sealed segments by their record headers, scans the last one fully,
    /// truncates a torn tail, finds the seal key in effect (the root, or the last key rotation's
    /// key) and loads it, and checks that HEAD does not lead the files.
    private func openArchive() throws(ArchiveError) {
        removeInterruptedCompactions()
        let numbers = try FileIO.listDirectory(directory).compactMap(SegmentName.number(of:)).sorted()
        for (position, number) in numbers.enumerated() where number != UInt32(position + 1) {
            throw .corrupted(file: SegmentName.fileName(UInt32(position + 1)), offset: 0,
                             reason: "segment missing (found \(SegmentName.fileName(number)) instead)")
        }
        let head = readHead()
        var index: [ContentHash: RecordLocation] = [:]
        var statistics = ArchiveStatistics()
        var last = numbers.last ?? 0
        // A newest segment without a complete header is a crash during its creation: nothing
        // was ever written to it, so it is removed and created again.
        if last > 0, let size = FileIO.size(atPath: segmentPath(last)), size <= UInt64(SegmentHeader.size),
            (try? readHeader(of: last)) == nil
        {
            logger.warning("removing a segment whose creation was interrupted",
                           metadata: ["file": "\(SegmentName.fileName(last))", "bytes": "\(size)"])
            unlink(segmentPath(last))
            last -= 1
        }
        var previousChain: [UInt8] = []
        if last > 1 {
            for number in 1..<last {
                let summary = try indexSealedSegment(number, into: &index, statistics: &statistics)
                previousChain = summary.chain
                // A sealed segment ends with its seal, which is no anchor.
                if let final = summary.last { lastRecord = final; lastNonAnchor = final }
            }
        }
        shared.state.withLock { $0.index = index; $0.statistics = statistics }
        if last == 0 {
            try loadSealKey(genesis: nil)
            try createSegment(1, startChain: genesisChain(publicKey: sealKeys!.root))
            writeHead()
        } else {
            try openActive(last, previousFinalChain: previousChain)
            var recovered = false
            try absorb(from: UInt64(SegmentHeader.size), head: head, recovered: &recovered)
            try loadSealKey(genesis: try readHeader(of: 1).startChain)
            if let head, head.segment > segment || (head.segment == segment && head.length > length) {
                throw .headAhead(
                    file: ArchiveHead.fileName,
                    reason: "HEAD names \(SegmentName.fileName(head.segment)) up to byte \(head.length), "
                        + "but the archive ends at \(SegmentName.fileName(segment)) byte \(length)")
            }
            if recovered { writeHead() }
        }
        publishStaged()
    }

    func readHeader(of number: UInt32) throws(ArchiveError) -> SegmentHeader {
        let path = segmentPath(number)
        // The header only: a sealed segment may be 64 MiB.
        let fd = try FileIO.open(path, flags: O_RDONLY)
        defer { Glibc.close(fd) }
        let bytes = try FileIO.read(fd, path: path, offset: 0, count: SegmentHeader.size)
        switch SegmentHeader.decode(bytes) {
        case .success(let header):
            guard header.segment == number else {
                throw .corrupted(file: SegmentName.fileName(number), offset: 0,
                                 reason: "header says segment \(header.segment)")
            }
            return header
        case .failure(let problem):
            throw .corrupted(file: SegmentName.fileName(number), offset: 0, reason: problem.reason)
        }
    }

    /// Reads the record headers of a sealed segment into the index; returns its final chain and
    /// the location of its last record.
    private func indexSealedSegment(
        _ number: UInt32, into index: inout [ContentHash: RecordLocation], statistics: inout ArchiveStatistics
    ) throws(ArchiveError) -> (chain: [UInt8], last: RecordLocation?) {
        let path = segmentPath(number)
        let header = try readHeader(of: number)
        var scanner = try SegmentScanner(path: path)
        var chain = header.startChain
        var lastKind: UInt8 = 0
        var last: RecordLocation?
        loop: while true {
            switch try scanner.next(checkCRC: false) {
            case .record(let record):
                let previous = chain
                chain = record.frame.chain
                lastKind = record.frame.kind
                let location = RecordLocation(segment: number, offset: record.offset)
                last = location
                if record.frame.kind == ArchiveRecordKind.event.rawValue,
                    let full = try SegmentScanner.readFrame(fd: scanner.fd, path: path, at: record.physicalOffset)
                {
                    // A purge not yet compacted: its bodies must not be deduplicated against.
                    for (hash, body) in Self.purgedBodies(in: full) where index[hash] == body { index[hash] = nil }
                    try noteKeyRotation(in: full, at: location, previousChain: previous)
                }
                count(record.frame, at: location, index: &index, statistics: &statistics)
            case .end: break loop
            case .damaged(let offset, let reason, _):
                throw .corrupted(file: SegmentName.fileName(number), offset: offset, reason: reason)
            }
        }
        if lastKind != ArchiveRecordKind.seal.rawValue {
            logger.error("a segment before the newest is not sealed; run `tresor verify`",
                         metadata: ["file": "\(SegmentName.fileName(number))"])
        }
        statistics.segments += 1
        statistics.bytesOnDisk += FileIO.size(atPath: path) ?? scanner.fileSize
        return (chain, last)
    }

    private func count(
        _ frame: RecordFrame, at location: RecordLocation, index: inout [ContentHash: RecordLocation],
        statistics: inout ArchiveStatistics
    ) {
        statistics.records += 1
        switch ArchiveRecordKind(rawValue: frame.kind) {
        case .body:
            let hash = ContentHash(frame.contentHash)
            if index[hash] == nil { index[hash] = location }
            statistics.bodies += 1
            statistics.rawBytes &+= frame.rawSize  // a damaged size must not trap; verify names it
        case .envelope: statistics.envelopes += 1
        case .event: statistics.events += 1
        case .seal: statistics.sealedSegments += 1
        case .purged: statistics.purged += 1
        case nil: break
        }
    }

    private func openActive(_ number: UInt32, previousFinalChain: [UInt8]) throws(ArchiveError) {
        let header = try readHeader(of: number)
        if header.isCompacted {
            throw .corrupted(file: SegmentName.fileName(number), offset: 0,
                             reason: "the newest segment is a compacted one: a newer segment is missing")
        }
        if number > 1, header.startChain != previousFinalChain {
            throw .corrupted(file: SegmentName.fileName(number), offset: 0,
                             reason: "start chain differs from the previous segment's final chain")
        }
        guard let dictionary = DeflateDictionary.version(header.dictionaryVersion) else {
            throw .corrupted(file: SegmentName.fileName(number), offset: 0,
                             reason: "unknown dictionary version \(header.dictionaryVersion)")
        }
        let path = segmentPath(number)
        // A sealed segment is 0444: open it read-only (it is never written again).
        let newFD = try FileIO.open(path, flags: access(path, W_OK) == 0 ? O_RDWR : O_RDONLY)
        if fd >= 0 { Glibc.close(fd) }
        fd = newFD
        self.path = path
        self.segment = number
        self.header = header
        self.dictionary = dictionary
        self.length = UInt64(SegmentHeader.size)
        self.recordCount = 0
        self.chain = header.startChain
        self.sealed = false
        stagedStatistics.segments += 1
        stagedStatistics.bytesOnDisk += UInt64(SegmentHeader.size)
    }

    /// Reads the records of the active segment from `offset` (written by us before a crash, or
    /// by another process since our last batch). A torn tail is cut; damage that is not a
    /// torn tail (before what HEAD acknowledged, or followed by a valid record) throws.
    private func absorb(from offset: UInt64, head: ArchiveHead?, recovered: inout Bool) throws(ArchiveError) {
        var scanner = try SegmentScanner(path: path, offset: offset)
        while true {
            switch try scanner.next(checkCRC: true) {
            case .record(let record):
                let location = RecordLocation(segment: segment, offset: record.offset)
                notePurges(in: record.frame)
                try noteKeyRotation(in: record.frame, at: location, previousChain: chain)
                count(record.frame, at: location, index: &staged, statistics: &stagedStatistics)
                stagedStatistics.bytesOnDisk += UInt64(record.frameLength)
                chain = record.frame.chain
                recordCount += 1
                length = record.offset + UInt64(record.frameLength)
                lastRecord = location
                if !record.frame.isAnchor { lastNonAnchor = location }
                if record.frame.kind == ArchiveRecordKind.seal.rawValue { sealed = true }
            case .end:
                return
            case .damaged(let at, let reason, let incomplete):
                let file = SegmentName.fileName(segment)
                if let head, head.segment == segment, at < head.length {
                    throw .corrupted(file: file, offset: at, reason: reason + " (inside what HEAD acknowledged)")
                }
                if !incomplete, followedByValidRecord(at: at) {
                    throw .corrupted(file: file, offset: at, reason: reason + " (a valid record follows: not a torn write)")
                }
                guard access(path, W_OK) == 0 else {
                    throw .corrupted(file: file, offset: at, reason: reason + " (in a read-only segment)")
                }
                try FileIO.truncate(fd, path: path, to: at)
                try sync(fd, path: path)
                logger.warning(
                    "cut a torn tail from the archive",
                    metadata: ["file": "\(file)", "offset": "\(at)", "bytes": "\(scanner.fileSize - at)", "reason": "\(reason)"])
                recovered = true
                return
            }
        }
    }

    private func followedByValidRecord(at offset: UInt64) -> Bool {
        guard let lengthBytes = try? FileIO.read(fd, path: path, offset: offset, count: 4), lengthBytes.count == 4 else {
            return false
        }
        var reader = ByteReader(lengthBytes)
        let next = offset + 8 + UInt64(reader.read(UInt32.self)!)
        return (try? SegmentScanner.readFrame(fd: fd, path: path, at: next)) != nil
    }

    // MARK: - Catching up with another process

    /// Under the lock, before a batch: reads what other processes appended since our last
    /// batch (records in the active segment, seals, newer segments).
    func catchUp() throws(ArchiveError) {
        var recovered = false
        while true {
            let size = try FileIO.size(of: fd, path: path)
            if size > length {
                try absorb(from: length, head: readHead(), recovered: &recovered)
            } else if size < length {
                throw .corrupted(file: SegmentName.fileName(segment), offset: size,
                                 reason: "the segment shrank from \(length) bytes")
            }
            guard FileIO.exists(segmentPath(segment + 1)) else { break }
            if let size = FileIO.size(atPath: segmentPath(segment + 1)), size <= UInt64(SegmentHeader.size),
                (try? readHeader(of: segment + 1)) == nil
            {
                // Another process died creating it; we create it again when we need it.
                unlink(segmentPath(segment + 1))
                break
            }
            guard sealed else {
                throw .corrupted(file: SegmentName.fileName(segment), offset: length,
                                 reason: "a newer segment exists but this one is not sealed")
            }
            try openActive(segment + 1, previousFinalChain: chain)
            try absorb(from: UInt64(SegmentHeader.size), head: readHead(), recovered: &recovered)
        }
        if recovered { writeHead() }
        publishStaged()
    }

    // MARK: - Writing a batch

    /// Writes every item of `batch` with one pwrite and one fsync (more if a segment is sealed
    /// on the way), then resumes the callers. Durability order (STYLE.md 11): pwrite → fsync
    /// → HEAD → publish to the index → resume. A failed write or fsync is never retried: the
    /// store is marked failed and reopening recovers.
    func process(_ batch: [PendingRequest]) {
        if let failure = shared.state.withLock({ $0.failure }) {
            for request in batch { request.continuation.resume(returning: .failure(.storeFailed(failure))) }
            return
        }
        // True when a failed write was cut back under the lock (`rollBack`): only this batch fails.
        var rolledBack = false
        let undoable = batch.allSatisfy { $0.items.allSatisfy(\.undoable) }
        do {
            // A batch of catch-up requests only reads: no new segment, fsync or HEAD for it.
            let writes = batch.contains { $0.items.contains { !$0.onlyReads } }
            let outcomes = try withLock { () throws(ArchiveError) -> [[ItemOutcome]] in
                try catchUp()
                let before = ActiveSegmentState(self)
                switch writeBatch(batch, writes: writes) {
                case .success(let outcomes):
                    return outcomes
                case .failure(let error):
                    rolledBack = undoable && rollBack(to: before, after: error)
                    throw error
                }
            }
            for (request, results) in zip(batch, outcomes) { request.continuation.resume(returning: .success(results)) }
        } catch {
            if rolledBack {
                for request in batch { request.continuation.resume(returning: .failure(error)) }
                return
            }
            let reason = error.description
            logger.error("archive write failed; appends refused until the store is reopened", metadata: ["error": "\(reason)"])
            shared.state.withLock { $0.failure = reason }
            buffer = []
            staged = [:]
            stagedStatistics = ArchiveStatistics()
            stagedPurges = []
            purgedLocations = []
            for request in batch { request.continuation.resume(returning: .failure(error)) }
        }
    }

    /// The writes of one batch, under the lock after catching up: its records, then (when it
    /// writes) one flush, one fsync and HEAD, then the index. A failure is returned, not thrown,
    /// so that `process` can undo it while it still holds the lock.
    private func writeBatch(_ batch: [PendingRequest], writes: Bool) -> Result<[[ItemOutcome]], ArchiveError> {
        do {
            if writes { try startNewSegmentIfDue() }
            var outcomes: [[ItemOutcome]] = []
            for request in batch {
                var results: [ItemOutcome] = []
                for item in request.items { results.append(try write(item)) }
                outcomes.append(results)
            }
            if writes {
                try flush()
                try sync(fd, path: path)
                stagedStatistics.batches += 1
                writeHead()
            }
            publishStaged()
            return .success(outcomes)
        } catch {
            return .failure(error)
        }
    }

    private func write(_ item: PendingItem) throws(ArchiveError) -> ItemOutcome {
        switch item {
        case .message(let message):
            let hash = ContentHash(message.hash)
            var deduplicated = true
            var bodyLocation: RecordLocation
            if let known = staged[hash] ?? shared.location(of: hash), !purgedLocations.contains(known) {
                bodyLocation = known
                stagedStatistics.deduplicated += 1
            } else {
                deduplicated = false
                var compressed = message.compressed
                if compressed == nil || compressed!.dictionaryVersion != dictionary.version {
                    // Prepared for another dictionary (or skipped as a duplicate that was not):
                    // compress here, with the dictionary of the segment it lands in.
                    compressed = ArchiveStore.compress(message.raw, level: configuration.compressionLevel, dictionary: dictionary)
                }
                try rotateIfFull(adding: compressed!.bytes.count)
                if compressed!.dictionaryVersion != dictionary.version {
                    compressed = ArchiveStore.compress(message.raw, level: configuration.compressionLevel, dictionary: dictionary)
                }
                bodyLocation = append(
                    .body, flags: compressed!.deflated ? .deflated : [], rawSize: UInt64(message.raw.count),
                    contentHash: message.hash, payload: compressed!.bytes)
                staged[hash] = bodyLocation
            }
            let payload = EnvelopePayload(
                sha256: Hex.string(message.hash), body: bodyLocation, size: message.raw.count, envelope: message.envelope
            ).encoded()
            try rotateIfFull(adding: payload.count)
            let envelopeLocation = append(
                .envelope, flags: [], rawSize: UInt64(payload.count), contentHash: sha256(payload), payload: payload)
            return .message(
                AppendReceipt(
                    sha256: Hex.string(message.hash), body: bodyLocation, envelope: envelopeLocation,
                    deduplicated: deduplicated, size: message.raw.count))
        case .event(let kind, let payload):
            let bytes = [kind.rawValue] + payload
            try rotateIfFull(adding: bytes.count)
            return .event(append(.event, flags: [], rawSize: UInt64(bytes.count), contentHash: sha256(bytes), payload: bytes))
        case .seal:
            try sealAndRotate()
            return .sealed
        case .purge(let record):
            return try journalPurge(record)
        case .rotateKey(let newKey):
            return try rotateKey(to: newKey)
        case .catchUp:
            return .sealKeys(key!, sealKeys!)
        case .compact(let number, let offsets):
            do {
                return .compacted(try compact(number, removing: offsets))
            } catch {
                logger.error("compaction failed; the segment is unchanged",
                             metadata: ["file": "\(SegmentName.fileName(number))", "error": "\(error)"])
                return .failed(error)
            }
        }
    }

    /// Frames a record after the chain head and buffers it; returns where it will be.
    func append(
        _ kind: ArchiveRecordKind, flags: RecordFrame.Flags, rawSize: UInt64, contentHash: [UInt8], payload: [UInt8]
    ) -> RecordLocation {
        let frame = RecordFrame(
            kind: kind, flags: flags, rawSize: rawSize, contentHash: contentHash, payload: payload, previous: chain)
        let location = RecordLocation(segment: segment, offset: length + UInt64(buffer.count))
        frame.encode(into: &buffer)
        chain = frame.chain
        recordCount += 1
        lastRecord = location
        if !frame.isAnchor { lastNonAnchor = location }
        var ignored: [ContentHash: RecordLocation] = [:]
        count(frame, at: location, index: &ignored, statistics: &stagedStatistics)
        stagedStatistics.bytesOnDisk += UInt64(frame.encodedCount)
        return location
    }

    /// Writes the buffered frames at the end of the active segment (not yet fsynced).
    func flush() throws(ArchiveError) {
        guard !buffer.isEmpty else { return }
        if let fault = configuration.writeFault, let code = fault() {
            try FileIO.write(fd, path: path, bytes: Array(buffer.prefix(buffer.count / 2)), at: length)
            throw .io(operation: "pwrite", path: path, errno: code)
        }
        try FileIO.write(fd, path: path, bytes: buffer, at: length)
        length += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    func sync(_ fd: Int32, path: String) throws(ArchiveError) {
        stagedStatistics.fsyncs += 1
        if let fault = configuration.fsyncFault, fault() {
            throw .io(operation: "fsync", path: path, errno: EIO)
        }
        try FileIO.sync(fd, path: path)
    }

    // MARK: - Sealing and rotation

    private static let sealFrameSize = RecordFrame.overhead + SealInfo.size

    /// Seals before a record that would push the segment past its size limit (a segment with
    /// no records takes any record, however large).
    func rotateIfFull(adding payloadCount: Int) throws(ArchiveError) {
        let records = recordCount
        let projected = length + UInt64(buffer.count) + UInt64(RecordFrame.overhead + payloadCount + Self.sealFrameSize)
        if records > 0 && projected > UInt64(configuration.segmentSizeLimit) { try sealAndRotate() }
    }

    /// Before a batch: the active segment may already be sealed (by a crash after its seal, or
    /// by another process), or be from an earlier UTC day.
    private func startNewSegmentIfDue() throws(ArchiveError) {
        if sealed {
            try createSegment(segment + 1, startChain: chain)
        } else if configuration.sealAtDayBoundary,
            Self.utcDay(milliseconds: header.createdAt) < Self.utcDay(configuration.now())
        {
            try sealAndRotate()
        }
    }

    static func utcDay(milliseconds: Int64) -> Int64 {
        milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
    }

    static func utcDay(_ date: Date) -> Int64 { utcDay(milliseconds: milliseconds(date)) }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// Seal record → fsync → chmod 0444 → next segment (file and directory fsynced).
    func sealAndRotate() throws(ArchiveError) {
        var seal = SealInfo(
            segment: segment, recordCount: recordCount, chainHead: chain,
            sealedAt: Date(timeIntervalSince1970: Double(Self.milliseconds(configuration.now())) / 1000), signature: [])
        seal.signature = sign(seal.signedBytes)
        let payload = seal.encoded
        _ = append(.seal, flags: [], rawSize: UInt64(payload.count), contentHash: sha256(payload), payload: payload)
        try flush()
        try sync(fd, path: path)
        sealed = true
        try FileIO.makeReadOnly(path)
        logger.info("sealed an archive segment",
                    metadata: ["file": "\(SegmentName.fileName(segment))", "records": "\(recordCount)"])
        try createSegment(segment + 1, startChain: chain)
    }

    /// Creates segment `number` with its header, fsyncs it and the directory, and makes it active.
    private func createSegment(_ number: UInt32, startChain: [UInt8]) throws(ArchiveError) {
        let header = SegmentHeader(
            dictionaryVersion: configuration.dictionary.version, segment: number,
            createdAt: Self.milliseconds(configuration.now()), startChain: startChain)
        let path = segmentPath(number)
        let newFD = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard newFD >= 0 else { throw FileIO.fail("create", path) }
        do {
            try FileIO.write(newFD, path: path, bytes: header.encoded(), at: 0)
        } catch {
            // Nothing of the new segment is durable yet: it goes, as recovery would remove it,
            // and the active segment stays as it was (a full disk must not lose our descriptor).
            Glibc.close(newFD)
            unlink(path)
            throw error
        }
        if fd >= 0 { Glibc.close(fd) }
        fd = newFD
        self.path = path
        try sync(fd, path: path)
        stagedStatistics.fsyncs += 1
        try FileIO.syncDirectory(directory)
        self.segment = number
        self.header = header
        self.dictionary = configuration.dictionary
        self.length = UInt64(SegmentHeader.size)
        self.recordCount = 0
        self.chain = startChain
        self.sealed = false
        stagedStatistics.segments += 1
        stagedStatistics.bytesOnDisk += UInt64(SegmentHeader.size)
    }

    // MARK: - HEAD

    func readHead() -> ArchiveHead? {
        let path = directory + "/" + ArchiveHead.fileName
        // A new archive has none yet: no error thrown (and caught) on every open.
        guard FileIO.exists(path), let bytes = try? FileIO.readAll(path: path) else { return nil }
        return ArchiveHead(file: bytes)
    }

    /// Rewrites HEAD (temp + rename, not fsynced: it may lag after a crash, never lead).
    func writeHead() {
        var head = ArchiveHead(segment: segment, length: length, recordCount: UInt64(recordCount), chainHead: chain)
        head.signature = sign(head.signedBytes)
        do {
            try FileIO.replaceAtomically(path: directory + "/" + ArchiveHead.fileName, contents: head.encoded)
        } catch {
            logger.warning("could not rewrite the archive HEAD", metadata: ["error": "\(error)"])
        }
    }

    func publishStaged() {
        let entries = staged
        let delta = stagedStatistics
        let purges = stagedPurges
        let tip = lastRecord.map { ChainPoint(location: $0, chain: chain) }
        let nonAnchor = lastNonAnchor
        staged = [:]
        stagedStatistics = ArchiveStatistics()
        stagedPurges = []
        purgedLocations = []
        let keys = sealKeys
        shared.state.withLock { state in
            state.sealKeys = keys
            // Purges first: a body stored again after its purge (in `entries`) takes its place.
            for (hash, location) in purges where state.index[hash] == location { state.index[hash] = nil }
            for (hash, location) in entries where state.index[hash] == nil { state.index[hash] = location }
            state.statistics.add(delta)
            state.last = tip
            state.lastNonAnchor = nonAnchor
        }
    }
}

extension ArchiveStatistics {
    mutating func add(_ other: ArchiveStatistics) {
        segments += other.segments
        sealedSegments += other.sealedSegments
        records += other.records
        bodies += other.bodies
        envelopes += other.envelopes
        events += other.events
        bytesOnDisk += other.bytesOnDisk
        rawBytes += other.rawBytes
        fsyncs += other.fsyncs
        batches += other.batches
        deduplicated += other.deduplicated
        purged += other.purged
    }
}

/// The chain value before the first record of segment 1: SHA-256 of a fixed label and the
/// archive's public key, so that an archive cannot be passed off under another key.
func genesisChain(publicKey: ArchivePublicKey) -> [UInt8] {
    sha256(Array("tresor-archive-genesis-v1".utf8) + publicKey.raw)
}
