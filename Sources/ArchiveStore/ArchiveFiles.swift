#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// The archive's files seen from outside the archive, for `tresor backup` and `tresor status`:
/// what is there, how big, when the newest seal was made, and a way to keep every writer out
/// while a copy is taken. Nothing here opens a file for writing except `archive/LOCK`, whose flock
/// is the writers' own (see `ArchiveWriter.withLock`).
///
/// Why a copy taken under the lock is consistent: a writer holds the lock from its catch-up read
/// through its pwrite, fsync and the rewrite of HEAD to the publication of the batch, and a purge's
/// compaction replaces a sealed segment only under it too. So while the lock is held every segment
/// ends at a record boundary, HEAD names exactly the end of the newest one, and no sealed segment
/// is being swapped.
public enum ArchiveFiles {
    /// One segment file.
    public struct Segment: Sendable, Hashable {
        public var number: UInt32
        /// `archive/segment-0000000N.tsa`, relative to the data directory.
        public var relativePath: String
        public var bytes: UInt64
        /// Every segment but the newest is sealed (ArchiveStore's invariant: exactly one is not).
        public var sealed: Bool
    }

    /// Every segment file of the data directory's archive, oldest first (an archive never opened
    /// has none). Leftover `.compacting` files and `LOCK` are not listed.
    public static func segments(dataDirectory: URL) throws(ArchiveError) -> [Segment] {
        let directory = archiveDirectory(dataDirectory)
        guard FileIO.exists(directory) else { return [] }
        let numbers = try FileIO.listDirectory(directory).compactMap(SegmentName.number(of:)).sorted()
        return numbers.map { number in
            let name = SegmentName.fileName(number)
            return Segment(number: number, relativePath: "archive/" + name,
                           bytes: FileIO.size(atPath: directory + "/" + name) ?? 0,
                           sealed: number != numbers.last)
        }
    }

    /// `archive/HEAD` relative to the data directory.
    public static let headRelativePath = "archive/" + ArchiveHead.fileName

    /// When the newest sealed segment was sealed (the time its seal record carries); nil while no
    /// segment is sealed or the seal cannot be read. Reads that one segment's frames (with their
    /// payloads, which the seal's time is in); `verify` checks them, this only reports.
    public static func newestSealTime(dataDirectory: URL) -> Date? {
        guard let sealed = (try? segments(dataDirectory: dataDirectory))?.last(where: \.sealed),
            var scanner = try? SegmentScanner(path: dataDirectory.path + "/" + sealed.relativePath)
        else { return nil }
        var newest: Date?
        while case .record(let record)? = try? scanner.next(checkCRC: true) {
            if record.frame.kind == ArchiveRecordKind.seal.rawValue, let seal = SealInfo.decode(record.frame.payload) {
                newest = seal.sealedAt
            }
        }
        return newest
    }

    /// Runs `body` while holding the archive writers' exclusive flock on `archive/LOCK`: no process
    /// appends, seals, rewrites HEAD or compacts meanwhile (each waits, then catches up as usual).
    /// Keep `body` short: deliveries wait for it. The caller must not append to this archive from
    /// inside `body` (its own writer would wait for the lock held here).
    public static func withWritersExcluded<T>(dataDirectory: URL, _ body: () throws -> T) throws -> T {
        let path = archiveDirectory(dataDirectory) + "/LOCK"
        let fd = try FileIO.open(path, flags: O_RDWR | O_CREAT, mode: 0o644)
        defer { Glibc.close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw FileIO.fail("flock", path) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    static func archiveDirectory(_ dataDirectory: URL) -> String {
        dataDirectory.appendingPathComponent("archive", isDirectory: true).path
    }
}
