#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// A record as read back from a segment file.
struct ScannedRecord: Sendable {
    /// The record's logical offset: its `RecordLocation` offset (equal to `physicalOffset` in a
    /// segment that was never compacted).
    var offset: UInt64
    /// Where the frame is in the file.
    var physicalOffset: UInt64
    /// Bytes of the whole frame, length field and CRC included.
    var frameLength: Int
    var frame: RecordFrame
}

/// Reads a segment file front to back, frame by frame, through a read-ahead buffer, so that a
/// scan costs one pread per 1 MiB rather than one per record. Used by open, recovery,
/// catch-up after another process wrote, `forEachRecord` and `verify`.
///
/// In a compacted segment (format version 2) the frames end where the offset table starts, and each
/// record is reported at its logical offset from the table; the scanner checks that every frame
/// starts where the table says (the verifier checks the logical offsets themselves).
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
    /// Where the frames end: the file size, or the offset table's start in a compacted segment.
    let fileSize: UInt64
    /// The physical offset of the next frame.
    private(set) var offset: UInt64
    /// The offset table of a compacted segment.
    let index: CompactionIndex?
    /// Why the compacted segment's table (or the start offset) is unusable; `next` reports it.
    private var indexProblem: String?
    /// The next entry of `index`.
    private var position = 0
    private var window: [UInt8] = []
    private var windowStart: UInt64 = 0
    private static let readAhead = 1 << 20

    /// Opens `path` read-only, positioned at `offset` (a frame boundary; the header size to
    /// read from the first record).
    /// `offset` is logical; in a compacted segment it is translated through the offset table.
    init(path: String, offset: UInt64 = UInt64(SegmentHeader.size)) throws(ArchiveError) {
        let fd = try FileIO.open(path, flags: O_RDONLY)
        var size: UInt64
        var index: CompactionIndex?
        var problem: String?
        var physical = offset
        var position = 0
        do {
            size = try FileIO.size(of: fd, path: path)
            let headerBytes = try FileIO.read(fd, path: path, offset: 0, count: SegmentHeader.size)
            if case .success(let header) = SegmentHeader.decode(headerBytes), header.isCompacted {
                switch try CompactionIndex.read(fd: fd, path: path, fileSize: size) {
                case .success(let table):
                    index = table
                    size = table.tableOffset
                    if offset != UInt64(SegmentHeader.size) || !table.entries.isEmpty {
                        if let found = table.position(ofLogical: offset) {
                            position = found
                            physical = table.entries[found].physical
                        } else {
                            problem = "no record starts at logical offset \(offset)"
                        }
                    }
                case .failure(let failure):
                    problem = failure.reason
                }
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.path = path
        self.fd = fd
        self.fileSize = size
        self.offset = physical
        self.index = index
        self.indexProblem = problem
        self.position = position
    }

    var isCompacted: Bool { index != nil }

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
        if let indexProblem { return .damaged(offset: offset, reason: indexProblem, incomplete: false) }
        if offset == fileSize {
            if let index, position != index.entries.count {
                return .damaged(offset: offset, reason: "the offset table lists more records than the segment holds",
                                incomplete: false)
            }
            return .end
        }
        let here = offset
        var logical = here
        if let index {
            guard position < index.entries.count, index.entries[position].physical == here else {
                return .damaged(offset: here, reason: "the offset table does not match the records", incomplete: false)
            }
            logical = index.entries[position].logical
        }
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
        if index != nil { position += 1 }
        return .record(ScannedRecord(offset: logical, physicalOffset: here, frameLength: frameLength, frame: frame))
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
