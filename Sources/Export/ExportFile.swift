import Crypto
import Foundation
import MailStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file of an export being written: created with `O_EXCL` (never through a file or symlink
/// that is already there), written through a buffer, SHA-256 computed on the bytes as they go,
/// and `fsync`'d when finished (STYLE.md "fsync": a write is not durable until then) — or, for
/// the many small message files of a Maildir or `.eml` export, made durable together by
/// `ExportFileSystemSync` before the export is declared complete. A failed fsync is not retried:
/// the export fails and stays marked incomplete.
final class ExportFile {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private(set) var size = 0
    /// Buffered bytes written in one `write` call.
    static let bufferSize = 1 << 20

    init(path: String) throws(ExportError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "create", path: path, errno: errno) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func append<Bytes: DataProtocol>(_ bytes: Bytes) throws(ExportError) {
        hasher.update(data: bytes)
        size += bytes.count
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Writes what is buffered, fsyncs (unless `sync` is false) and closes. Returns the lower-case
    /// hex SHA-256 of every byte written.
    func finish(sync: Bool = true) throws(ExportError) -> String {
        try flush()
        if sync, fsync(descriptor) != 0 { throw .io(operation: "fsync", path: path, errno: errno) }
        let result = close(descriptor)
        descriptor = -1
        guard result == 0 else { throw .io(operation: "close", path: path, errno: errno) }
        return Hex.string(hasher.finalize())
    }

    private func flush() throws(ExportError) {
        try writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) throws(ExportError) {
        var written = 0
        while written < bytes.count {
            let fd = descriptor
            let n = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + written, raw.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            written += n
        }
    }

    /// Writes a whole file at once (no buffer copy).
    static func create(path: String, contents: [UInt8], sync: Bool = true) throws(ExportError) -> String {
        let file = try ExportFile(path: path)
        file.hasher.update(data: contents)
        file.size = contents.count
        try file.writeAll(contents)
        return try file.finish(sync: sync)
    }
}

/// Directories of an export: created with their parents, remembered, and fsync'd at the end so
/// that the entries of every file written are durable too.
struct ExportDirectories {
    private(set) var created: [String] = []

    mutating func make(_ path: String) throws(ExportError) {
        if created.contains(path) { return }
        var isDirectory = stat()
        if stat(path, &isDirectory) == 0, (isDirectory.st_mode & S_IFMT) == S_IFDIR {
            created.append(path)
            return
        }
        let parent = parentPath(path)
        if !parent.isEmpty, parent != path { try make(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw .io(operation: "mkdir", path: path, errno: errno) }
        created.append(path)
    }

    /// fsync of every directory made or used, deepest first.
    func syncAll() throws(ExportError) {
        for path in created.sorted(by: { $0.count > $1.count }) { try Self.sync(path) }
    }

    static func sync(_ path: String) throws(ExportError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }
}

/// Makes the files written without their own fsync durable, all at once. On Linux one
/// `syncfs(2)` on a descriptor of the export folder opened before the first of them was written:
/// it writes back every dirty page and inode of that file system and, since Linux 5.8, reports a
/// writeback error that happened since the descriptor was opened. A thousand per-file fsyncs
/// would cost a thousand journal commits for the same guarantee. Without `syncfs`, each file is
/// fsync'd.
final class ExportFileSystemSync {
    private let descriptor: Int32
    let path: String
    private(set) var pending: [String] = []

    init(folder path: String) throws(ExportError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
    }

    deinit { close(descriptor) }

    /// A file written with `finish(sync: false)`.
    func add(_ file: String) { pending.append(file) }

    /// glibc's `syncfs`, which the Glibc module does not export (it is declared under _GNU_SOURCE).
    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    func syncPending() throws(ExportError) {
        defer { pending.removeAll() }
        if pending.isEmpty { return }
        if let syncfs = Self.syncfs {
            guard syncfs(descriptor) == 0 else { throw .io(operation: "syncfs", path: path, errno: errno) }
            return
        }
        for file in pending {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .io(operation: "open", path: file, errno: errno) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: file, errno: errno) }
        }
    }
}

/// The folder part of a path: everything before its last "/".
func parentPath(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

extension Hex {
    /// Lower-case hex SHA-256, as SHA256SUMS, manifest.csv and export.json write it.
    static func sha256<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        string(SHA256.hash(data: bytes))
    }
}

/// SHA-256 as the export files write it.
public enum ExportDigest {
    /// Lower-case hex SHA-256.
    public static func sha256Hex(_ bytes: [UInt8]) -> String { Hex.sha256(bytes) }
}
