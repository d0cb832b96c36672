#if canImport(Glibc)
import Glibc
#endif

/// A record as read back from a segment file.
struct ScannedRecord: Sendable {
    var offset: UInt64
    /// Bytes of the whole frame, length field and CRC included.
    var frameLength: Int
    var frame: RecordFrame
}

/// Reads a segment file front to back, frame by frame, through a read-ahead buffer, so that a
/// scan costs one pread per 1 MiB rather than one per record. Used by open, recovery,
/// catch-up after another process wrote, `forEachRecord` and `verify`.
struct SegmentScanner: ~Copyable {
    enum Step {
        case record(ScannedRecord)
        case end
        /// The frame at `offset` is unusable. `incomplete` means it runs past the end of the
        /// file (a torn write); otherwise its length is impossible or its CRC is wrong.
        case damaged(offset: UInt64, reason: String, incomplete: Bool)
    }

    let path: String
    let fd: Int32
    let fileSize: UInt64
    private(set) var offset: UInt64
    private var window: [UInt8] = []
    private var windowStart: UInt64 = 0
    private static let readAhead = 1 << 20

    /// Opens `path` read-only, positioned at `offset` (a frame boundary; the header size to
    /// read from the first record).
    init(path: String, offset: UInt64 = UInt64(SegmentHeader.size)) throws(ArchiveError) {
        let fd = try FileIO.open(path, flags: O_RDONLY)
        let size: UInt64
        do {
            size = try FileIO.size(of: fd, path: path)
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.path = path
        self.fd = fd
        self.fileSize = size
        self.offset = offset
    }

    deinit { Glibc.close(fd) }

    func readHeader() throws(ArchiveError) -> Result<SegmentHeader, SegmentHeader.HeaderProblem> {
        SegmentHeader.decode(try FileIO.read(fd, path: path, offset: 0, count: SegmentHeader.size))
    }

    /// Bytes `[at, at + count)`, or fewer at end of file.
    private mutating func bytes(at position: UInt64, count: Int) throws(ArchiveError) -> ArraySlice<UInt8> {
        let windowEnd = windowStart + UInt64(window.count)
        if position < windowStart || position + UInt64(count) > windowEnd {
            let want = max(count, SegmentScanner.readAhead)
            window = try FileIO.read(fd, path: path, offset: position, count: want)
            windowStart = position
        }
        let start = Int(position - windowStart)
        return window[start..<min(window.count, start + count)]
    }

    /// The next frame. With `checkCRC` false only the fixed part is read and the payload is
    /// left empty: enough to index a sealed segment quickly.
    mutating func next(checkCRC: Bool) throws(ArchiveError) -> Step {
        if offset == fileSize { return .end }
        let here = offset
        // A start past the end (a stale checkpoint, a shrunken file) is damage, not a trap.
        guard here <= fileSize else {
            return .damaged(offset: here, reason: "offset is past the end of the file (\(fileSize) bytes)", incomplete: true)
        }
        guard fileSize - here >= 4 else {
            return .damaged(offset: here, reason: "\(fileSize - here) stray bytes after the last record", incomplete: true)
        }
        var reader = ByteReader(try bytes(at: here, count: 4))
        let length = Int(reader.read(UInt32.self)!)
        guard length >= RecordFrame.fixedSize, length <= RecordFrame.maximumLength else {
            return .damaged(offset: here, reason: "impossible record length \(length)", incomplete: false)
        }
        let frameLength = 4 + length + 4
        guard UInt64(frameLength) <= fileSize - here else {
            return .damaged(
                offset: here, reason: "record of \(frameLength) bytes runs past the end of the file", incomplete: true)
        }
        let wanted = checkCRC ? frameLength : 4 + RecordFrame.fixedSize
        let raw = try bytes(at: here, count: wanted)
        guard raw.count == wanted else {
            return .damaged(offset: here, reason: "file shrank while reading", incomplete: true)
        }
        let frame = RecordFrame.decodeFields(raw, payloadLength: checkCRC ? length - RecordFrame.fixedSize : 0)
        if checkCRC {
            var tail = ByteReader(raw[(raw.endIndex - 4)...])
            guard tail.read(UInt32.self)! == crc32Of(raw[raw.startIndex..<(raw.endIndex - 4)]) else {
                return .damaged(offset: here, reason: "record CRC mismatch", incomplete: false)
            }
        }
        offset = here + UInt64(frameLength)
        return .record(ScannedRecord(offset: here, frameLength: frameLength, frame: frame))
    }

    /// Reads the frame at `position` alone (CRC checked), for random access.
    static func readFrame(fd: Int32, path: String, at position: UInt64) throws(ArchiveError) -> RecordFrame? {
        let head = try FileIO.read(fd, path: path, offset: position, count: 4)
        guard head.count == 4 else { return nil }
        var reader = ByteReader(head)
        let length = Int(reader.read(UInt32.self)!)
        guard length >= RecordFrame.fixedSize, length <= RecordFrame.maximumLength else { return nil }
        let raw = try FileIO.read(fd, path: path, offset: position, count: 4 + length + 4)
        guard raw.count == 4 + length + 4 else { return nil }
        var tail = ByteReader(raw[(raw.count - 4)...])
        guard tail.read(UInt32.self)! == crc32Of(raw[0..<(raw.count - 4)]) else { return nil }
        return RecordFrame.decodeFields(raw[...], payloadLength: length - RecordFrame.fixedSize)
    }
}
