import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// Read-only file descriptors of segments, opened on first use and kept: a segment is only
/// ever appended to, so pread at a record's offset stays valid while writers append — until a
/// purge's compaction replaces a sealed segment by a new file (rename). Each read therefore checks
/// the path's inode (one stat) and reopens when it changed, so no reader keeps serving the old
/// file's bytes (or keeps its disk space allocated); a compacted segment's logical offsets are
/// translated through its offset table.
final class SegmentReaders: Sendable {
    /// One open segment file; the descriptor is closed when the last reader lets go of it, so a
    /// read in flight never sees its descriptor closed (or reused) under it.
    private final class OpenSegment: Sendable {
        let fd: Int32
        let inode: UInt64
        let dictionary: DeflateDictionary
        let index: CompactionIndex?

        init(fd: Int32, inode: UInt64, dictionary: DeflateDictionary, index: CompactionIndex?) {
            self.fd = fd
            self.inode = inode
            self.dictionary = dictionary
            self.index = index
        }

        deinit { Glibc.close(fd) }
    }

    let directory: String
    private let open = Mutex<[UInt32: OpenSegment]>([:])

    init(directory: String) { self.directory = directory }

    /// The CRC-checked frame at `location`, with its segment's dictionary. A purged stub is
    /// returned like any frame; `ArchiveStore` decides what it means.
    func frame(at location: RecordLocation) throws(ArchiveError) -> (RecordFrame, DeflateDictionary) {
        let reader = try descriptor(for: location.segment)
        let path = directory + "/" + SegmentName.fileName(location.segment)
        var physical = location.offset
        if let index = reader.index {
            guard let translated = index.physical(forLogical: location.offset) else { throw .noSuchRecord(location) }
            physical = translated
        }
        guard physical >= UInt64(SegmentHeader.size),
            let frame = try SegmentScanner.readFrame(fd: reader.fd, path: path, at: physical)
        else { throw .noSuchRecord(location) }
        return (frame, reader.dictionary)
    }

    /// Forgets the descriptor of a segment this process just compacted.
    func forget(_ segment: UInt32) {
        _ = open.withLock { $0.removeValue(forKey: segment) }
    }

    private func descriptor(for segment: UInt32) throws(ArchiveError) -> OpenSegment {
        let path = directory + "/" + SegmentName.fileName(segment)
        var info = stat()
        guard stat(path, &info) == 0 else { throw .noSuchRecord(RecordLocation(segment: segment, offset: 0)) }
        if let known = open.withLock({ $0[segment] }), known.inode == UInt64(info.st_ino) { return known }
        let fd = try FileIO.open(path, flags: O_RDONLY)
        var opened = stat()
        guard fstat(fd, &opened) == 0 else {
            let failure = FileIO.fail("fstat", path)
            Glibc.close(fd)
            throw failure
        }
        let headerBytes: [UInt8]
        do { headerBytes = try FileIO.read(fd, path: path, offset: 0, count: SegmentHeader.size) } catch {
            Glibc.close(fd)
            throw error
        }
        guard case .success(let header) = SegmentHeader.decode(headerBytes),
            let dictionary = DeflateDictionary.version(header.dictionaryVersion)
        else {
            Glibc.close(fd)
            throw .corrupted(file: SegmentName.fileName(segment), offset: 0, reason: "unreadable segment header")
        }
        var index: CompactionIndex?
        if header.isCompacted {
            let result: Result<CompactionIndex, CompactionIndex.Problem>
            do { result = try CompactionIndex.read(fd: fd, path: path, fileSize: UInt64(opened.st_size)) } catch {
                Glibc.close(fd)
                throw error
            }
            switch result {
            case .success(let table): index = table
            case .failure(let failure):
                Glibc.close(fd)
                throw .corrupted(file: SegmentName.fileName(segment), offset: 0, reason: failure.reason)
            }
        }
        // The inode of the file actually opened (a rename may have happened since the stat).
        let entry = OpenSegment(fd: fd, inode: UInt64(opened.st_ino), dictionary: dictionary, index: index)
        open.withLock { $0[segment] = entry }
        return entry
    }

    func closeAll() {
        open.withLock { $0.removeAll() }
    }
}

/// Starts a detached POSIX thread running `body`: the writer blocks in fsync and on its
/// condition variable, which must never happen on the Swift concurrency pool.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    precondition(status == 0, "pthread_create failed with \(status)")
    pthread_detach(thread)
}
