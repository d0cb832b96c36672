import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Read-only file descriptors of segments, opened on first use and kept: a segment is only
/// ever appended to, so pread at a record's offset stays valid while writers append.
final class SegmentReaders: Sendable {
    private struct Open {
        var fd: Int32
        var dictionary: DeflateDictionary
    }

    let directory: String
    private let open = Mutex<[UInt32: Open]>([:])

    init(directory: String) { self.directory = directory }

    /// The CRC-checked frame at `location`, with its segment's dictionary.
    func frame(at location: RecordLocation) throws(ArchiveError) -> (RecordFrame, DeflateDictionary) {
        let reader = try descriptor(for: location.segment)
        let path = directory + "/" + SegmentName.fileName(location.segment)
        guard location.offset >= UInt64(SegmentHeader.size),
            let frame = try SegmentScanner.readFrame(fd: reader.fd, path: path, at: location.offset)
        else { throw .noSuchRecord(location) }
        return (frame, reader.dictionary)
    }

    private func descriptor(for segment: UInt32) throws(ArchiveError) -> Open {
        if let known = open.withLock({ $0[segment] }) { return known }
        let path = directory + "/" + SegmentName.fileName(segment)
        guard FileIO.exists(path) else { throw .noSuchRecord(RecordLocation(segment: segment, offset: 0)) }
        let fd = try FileIO.open(path, flags: O_RDONLY)
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
        let entry = Open(fd: fd, dictionary: dictionary)
        return open.withLock { table in
            if let raced = table[segment] {
                Glibc.close(fd)
                return raced
            }
            table[segment] = entry
            return entry
        }
    }

    func closeAll() {
        open.withLock { table in
            for entry in table.values { Glibc.close(entry.fd) }
            table.removeAll()
        }
    }

    deinit { closeAll() }
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
