import Crypto
import StoreModel
#if canImport(Glibc)
import Glibc
#endif

/// The file work of `tresor backup` and `tresor restore`: copying with the SHA-256 taken on the
/// way, listing a folder, making copies durable. Blocking throughout: run it through
/// `BlockingWork.io`. A copy is created with O_EXCL (never over an existing file), fsynced, and
/// given the source's permission bits; the folders are fsynced by `syncDirectories`.
enum BackupFiles {
    /// Which file a path named when it was copied: a segment replaced by a purge's compaction, or
    /// grown by an append, no longer matches.
    struct Identity: Sendable, Hashable {
        var device: UInt64
        var inode: UInt64
        var size: UInt64
        var modified: Int64
        var modifiedNanoseconds: Int
    }

    struct Copied: Sendable {
        var bytes: UInt64
        var sha256: String
        var mode: UInt32
        /// The source as it was while it was read.
        var source: Identity
    }

    static func fail(_ operation: String, _ path: String) -> BackupError {
        .io("\(operation) \(path): \(String(cString: strerror(errno)))")
    }

    static func identity(_ status: stat) -> Identity {
        Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: UInt64(status.st_size),
                 modified: Int64(status.st_mtim.tv_sec), modifiedNanoseconds: Int(status.st_mtim.tv_nsec))
    }

    /// The file at `path` now; nil when it does not exist.
    static func identity(of path: String) -> Identity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return identity(status)
    }

    /// The folder part of a `/`-separated relative path (`keys` of `keys/archive.ed25519`), or "".
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Whether `path` is missing or an empty folder.
    static func isMissingOrEmpty(_ path: String) -> Bool {
        guard let directory = opendir(path) else { return errno == ENOENT }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = entryName(entry)
            if name != "." && name != ".." { return false }
        }
        return true
    }

    /// Makes `path` and its missing parents with `mode`; an existing folder is left as it is.
    static func makeDirectory(_ path: String, mode: mode_t) throws(BackupError) {
        let parts = path.split(separator: "/")
        var current = path.hasPrefix("/") ? "" : "."
        for part in parts {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw fail("mkdir", current)
            }
        }
    }

    /// Every regular file under `root`, as `/`-separated paths relative to it, sorted; folders are
    /// descended, anything else (sockets, links) is left out.
    static func listFiles(under root: String, skipping skip: (String) -> Bool = { _ in false })
        throws(BackupError) -> [String]
    {
        var found: [String] = []
        func walk(_ relative: String) throws(BackupError) {
            let path = relative.isEmpty ? root : root + "/" + relative
            guard let directory = opendir(path) else {
                if errno == ENOENT { return }  // a folder that is not there holds nothing
                throw fail("opendir", path)
            }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = entryName(entry)
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names.sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                if skip(child) { continue }
                var status = stat()
                guard lstat(root + "/" + child, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: try walk(child)
                case S_IFREG: found.append(child)
                default: continue
                }
            }
        }
        try walk("")
        return found.sorted()
    }

    /// Copies `source` to the new file `destination`, giving it the source's permission bits (or
    /// `mode`), hashing what it copies, and fsyncs the copy.
    static func copy(_ source: String, to destination: String, mode: UInt32? = nil) throws(BackupError) -> Copied {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw fail("open", source) }
        defer { close(input) }
        var status = stat()
        guard fstat(input, &status) == 0 else { throw fail("stat", source) }
        let permissions = mode ?? UInt32(status.st_mode & 0o7777)
        // Written owner-writable, then given its mode: a 0444 segment must still be writable here.
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw fail("create", destination) }
        var closed = false
        defer { if !closed { close(output) } }
        var hasher = SHA256()
        var total: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw fail("read", source)
            }
            if count == 0 { break }
            let complete = buffer.withUnsafeBytes { bytes -> Bool in
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                hasher.update(bufferPointer: chunk)
                var written = 0
                while written < count {
                    let n = write(output, chunk.baseAddress! + written, count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    written += n
                }
                return true
            }
            guard complete else { throw fail("write", destination) }
            total += UInt64(count)
        }
        guard fchmod(output, mode_t(permissions)) == 0 else { throw fail("chmod", destination) }
        guard fsync(output) == 0 else { throw fail("fsync", destination) }
        closed = true
        guard close(output) == 0 else { throw fail("close", destination) }
        return Copied(bytes: total, sha256: Hex.string(hasher.finalize()), mode: permissions, source: identity(status))
    }

    /// The size and SHA-256 of the file at `path`.
    static func hash(_ path: String) throws(BackupError) -> (bytes: UInt64, sha256: String) {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw fail("open", path) }
        defer { close(input) }
        var hasher = SHA256()
        var total: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw fail("read", path)
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            total += UInt64(count)
        }
        return (total, Hex.string(hasher.finalize()))
    }

    /// Writes a small new file durably (O_EXCL, fsync).
    static func writeNew(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(BackupError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw fail("create", path) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw fail("write", path) }
        guard fsync(fd) == 0 else { throw fail("fsync", path) }
    }

    /// fsyncs `root` and every folder below it, so that the new names are durable too.
    static func syncDirectories(under root: String) throws(BackupError) {
        var folders = [root]
        for file in try listFiles(under: root) {
            var folder = file
            while let slash = folder.lastIndex(of: "/") {
                folder = String(folder[..<slash])
                folders.append(root + "/" + folder)
            }
        }
        for folder in Set(folders) {
            let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw fail("open", folder) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw fail("fsync", folder) }
        }
    }

    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: entry.pointee.d_name) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
        }
    }
}
