#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX wrappers that turn errno into `ArchiveError.io`. The archive uses file
/// descriptors, pread/pwrite at known offsets and explicit fsync, never buffered streams:
/// `FileHandle.write` and `Data.write(options: .atomic)` give no durability.
enum FileIO {
    static func fail(_ operation: String, _ path: String) -> ArchiveError {
        .io(operation: operation, path: path, errno: errno)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(ArchiveError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw fail("open", path) }
        return fd
    }

    static func size(of fd: Int32, path: String) throws(ArchiveError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("fstat", path) }
        return UInt64(info.st_size)
    }

    static func size(atPath path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }

    /// Reads exactly `count` bytes at `offset`, or fewer only at end of file.
    static func read(_ fd: Int32, path: String, offset: UInt64, count: Int) throws(ArchiveError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("pread", path)
            }
            if n == 0 { break }
            done += n
        }
        if done < count { buffer.removeSubrange(done...) }
        return buffer
    }

    static func write(_ fd: Int32, path: String, bytes: [UInt8], at offset: UInt64) throws(ArchiveError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("pwrite", path)
            }
            done += n
        }
    }

    static func sync(_ fd: Int32, path: String) throws(ArchiveError) {
        guard fsync(fd) == 0 else { throw fail("fsync", path) }
    }

    static func truncate(_ fd: Int32, path: String, to length: UInt64) throws(ArchiveError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw fail("ftruncate", path) }
    }

    /// A new directory entry is durable only once its directory is fsynced.
    static func syncDirectory(_ path: String) throws(ArchiveError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw fail("fsync", path) }
    }

    static func makeDirectory(_ url: URL, mode: mode_t) throws(ArchiveError) {
        var prefix = ""
        for component in url.path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw fail("mkdir", prefix) }
        }
    }

    static func readAll(path: String) throws(ArchiveError) -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY)
        defer { close(fd) }
        return try read(fd, path: path, offset: 0, count: Int(try size(of: fd, path: path)))
    }

    static func createExclusively(path: String, contents: [UInt8], mode: mode_t) throws(ArchiveError) {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            if errno == EEXIST { throw .keyExists(path: path) }
            throw fail("open", path)
        }
        defer { close(fd) }
        try write(fd, path: path, bytes: contents, at: 0)
        try sync(fd, path: path)
    }

    /// Writes `path` atomically: a temporary file beside it, then rename(2). Not fsynced.
    static func replaceAtomically(path: String, contents: [UInt8]) throws(ArchiveError) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = try open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        do {
            try write(fd, path: temporary, bytes: contents, at: 0)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let failure = fail("rename", path)
            unlink(temporary)
            throw failure
        }
    }

    static func makeReadOnly(_ path: String) throws(ArchiveError) {
        guard chmod(path, 0o444) == 0 else { throw fail("chmod", path) }
    }

    /// Names in a directory (not "." or "..").
    static func listDirectory(_ path: String) throws(ArchiveError) -> [String] {
        guard let dir = opendir(path) else { throw fail("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
