#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The secret that keys the verified-login cache (`VerifiedLoginCache`): 32 random bytes in
/// `DATA/keys/login-cache.key`, mode 0600. `tresor init` makes it; a data directory made before
/// the cache existed gets one the first time a store opens it for writing.
///
/// The file appears complete or not at all: the bytes go to a temporary file that is fsynced and
/// then hard-linked to the final name (link(2) fails if the name exists), so two processes that
/// start together agree on one secret and neither reads a half-written file.
enum LoginCacheSecret {
    static let fileName = "login-cache.key"
    static let length = 32

    static func path(in dataDirectory: URL) -> String {
        dataDirectory.appendingPathComponent("keys", isDirectory: true).appendingPathComponent(fileName).path
    }

    /// The secret of the data directory, created when absent.
    static func loadOrCreate(in dataDirectory: URL) throws(StorageFailure) -> [UInt8] {
        let path = path(in: dataDirectory)
        if let existing = try read(path) { return existing }
        try create(path)
        guard let created = try read(path) else {
            throw StorageFailure(kind: .unavailable, description: "\(path): not readable after it was created")
        }
        return created
    }

    private static func read(_ path: String) throws(StorageFailure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: length + 1)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count == length else {
            throw StorageFailure(kind: .unavailable, description: "\(path): expected \(length) bytes, found \(max(count, 0))")
        }
        return Array(bytes[0..<length])
    }

    private static func create(_ path: String) throws(StorageFailure) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", temporary) }
        defer { unlink(temporary) }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let written = secret.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == length, synced else { throw failure("write", temporary) }
        // link(2) never replaces: if another process won the race, its secret stays.
        guard link(temporary, path) == 0 || errno == EEXIST else { throw failure("link", path) }
    }

    private static func failure(_ operation: String, _ path: String) -> StorageFailure {
        StorageFailure(kind: .unavailable, description: "\(operation) \(path): \(String(cString: strerror(errno)))")
    }
}
