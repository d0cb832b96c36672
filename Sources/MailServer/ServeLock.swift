#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `DATA/serve.lock`: one server per data directory. `tresor serve` holds an exclusive flock(2) on
/// it for its whole life, with its process id written inside, so a second `serve` on the same data
/// directory is refused (two writers would interleave the archive's appends), and tools such as
/// `tresor status` can tell a server is running (a held lock) and which process it is. The kernel
/// drops the lock when the process ends, however it ends, so a `kill -9` leaves no stale lock:
/// the file stays, unlocked. flock locks belong to the open file, so even a second server in the
/// same process is refused.
public final class ServeLock: Sendable {
    public static func url(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("serve.lock")
    }

    /// Why the lock could not be taken.
    public enum Failure: Error, CustomStringConvertible {
        /// Another server holds it; `pid` as that server wrote it, when readable.
        case held(path: String, pid: Int32?)
        case system(path: String, operation: String, errno: Int32)

        public var description: String {
            switch self {
            case .held(let path, let pid?):
                "another tresor serve (process \(pid)) is running on this data directory; it holds \(path)"
            case .held(let path, nil):
                "another tresor serve is running on this data directory; it holds \(path)"
            case .system(let path, let operation, let code):
                "cannot \(operation) \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// The open lock file; -1 once released.
    private let descriptor: Mutex<Int32>

    /// Takes the lock without waiting, and writes this process's id into the file.
    public init(dataDirectory: URL) throws(Failure) {
        let path = Self.url(in: dataDirectory).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = Self.readProcessID(fd)
            close(fd)
            if code == EWOULDBLOCK { throw .held(path: path, pid: holder) }
            throw .system(path: path, operation: "lock", errno: code)
        }
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0,
              text.withUnsafeBytes({ pwrite(fd, $0.baseAddress, text.count, 0) }) == text.count else {
            let code = errno
            close(fd)
            throw .system(path: path, operation: "write", errno: code)
        }
        descriptor = Mutex(fd)
    }

    /// Lets go of the lock (closing the file releases it); again does nothing. The file stays with
    /// the old process id: only a held lock means a server is running.
    public func release() {
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    deinit {
        release()
    }

    /// The process id in the file, when it is one.
    private static func readProcessID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
