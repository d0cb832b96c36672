import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, in place of Foundation's `Process`, whose `run()` in Swift 6.3.1
/// on Linux crashes the caller now and then (SIGSEGV in a memcpy): while it lists
/// `/proc/self/fd` to close the parent's descriptors in the child, it copies each `dirent`'s
/// whole 256-byte name field, reading past glibc's readdir buffer when a short record ends it
/// (swift-corelibs-foundation, fixed after 6.3.1). The test process, with its many sockets and
/// files, hit it in CI; the crash left children that held CI's output open, so CI ran into its
/// time limit instead of failing.
///
/// Same shape as the parts of `Process` the tests use. The child gets the standard streams it
/// is given (a `Pipe`, a `FileHandle`, or the test's own when nil), every other descriptor closed
/// (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34), an empty signal mask and default
/// signal actions (the test process blocks or ignores some, and a child would inherit that).
/// A Dispatch thread waits for its end (`waitpid`), never a thread of the cooperative pool.
/// Its environment carries `TRESOR_TEST_CHILD=<pid of the test process>`: should the test
/// process crash, `.ci/run` ends what it left running instead of waiting for it.
public final class SpawnedProcess: @unchecked Sendable {  // settings before `run`; state under `lock`
    public enum TerminationReason: Sendable { case exit, uncaughtSignal }

    public var executableURL: URL?
    public var arguments: [String] = []
    /// Nil: the test process's environment.
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    /// A `Pipe` (the child gets the reading end for input, the writing end for output) or a
    /// `FileHandle`; nil: the test process's own.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?
    /// Called once, on a Dispatch thread, when the child has ended.
    public var terminationHandler: (@Sendable (SpawnedProcess) -> Void)? {
        get { lock.withLock { handler } }
        set { lock.withLock { handler = newValue } }
    }

    private let lock = NSCondition()
    private var handler: (@Sendable (SpawnedProcess) -> Void)?
    private var pid: pid_t = 0
    private var ended: (status: Int32, reason: TerminationReason)?

    public init() {}

    public var processIdentifier: Int32 { lock.withLock { pid } }
    public var isRunning: Bool { lock.withLock { pid != 0 && ended == nil } }
    /// The exit status, or the number of the signal that ended it (see `terminationReason`).
    public var terminationStatus: Int32 { lock.withLock { ended?.status ?? 0 } }
    public var terminationReason: TerminationReason { lock.withLock { ended?.reason ?? .exit } }

    public struct SpawnFailed: Error, CustomStringConvertible {
        public var path: String
        public var code: Int32
        public var description: String { "cannot start \(path): \(String(cString: strerror(code)))" }
    }

    public func run() throws {
        guard let executableURL else { throw SpawnFailed(path: "(no executable)", code: ENOENT) }
        let path = executableURL.path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // In the parent, the ends that now belong to the child are closed after the spawn, so
        // that a reader of the child's output sees end-of-file when the child ends.
        var closeAfterSpawn: [FileHandle] = []
        for (stream, target) in [(standardInput, STDIN_FILENO), (standardOutput, STDOUT_FILENO),
                                 (standardError, STDERR_FILENO)] {
            let handle: FileHandle
            switch stream {
            case let pipe as Pipe:
                handle = target == STDIN_FILENO ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                closeAfterSpawn.append(handle)
            case let file as FileHandle where file === FileHandle.nullDevice || file.fileDescriptor < 0:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_RDWR, 0)
                continue
            case let file as FileHandle:
                handle = file
            default:
                continue
            }
            posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
        }
        if let currentDirectoryURL {
            guard let addChdir = Self.addChdir else {
                throw SpawnFailed(path: "posix_spawn_file_actions_addchdir_np", code: ENOSYS)
            }
            let code = addChdir(&actions, currentDirectoryURL.path)
            guard code == 0 else { throw SpawnFailed(path: currentDirectoryURL.path, code: code) }
        }
        try Self.closeEverythingFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment = self.environment ?? ProcessInfo.processInfo.environment
        // The mark by which .ci/run finds children a crashed test process left running.
        environment["TRESOR_TEST_CHILD"] = String(getpid())
        let env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var spawned: pid_t = 0
        let code = posix_spawn(&spawned, path, &actions, &attributes, argv, env)
        guard code == 0 else { throw SpawnFailed(path: path, code: code) }
        let child = spawned
        for handle in closeAfterSpawn { try? handle.close() }
        lock.withLock { pid = child }
        DispatchQueue.global().async { [self] in waitForEnd(of: child) }
    }

    private func waitForEnd(of child: pid_t) {
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG of <sys/wait.h>, which Swift does not import.
        let signal = status & 0x7F
        let outcome: (Int32, TerminationReason) = signal == 0 ? ((status >> 8) & 0xFF, .exit) : (signal, .uncaughtSignal)
        let handler = lock.withLock {
            ended = outcome
            lock.broadcast()
            return self.handler
        }
        handler?(self)
    }

    /// Blocks the calling thread until the child has ended; call it off the cooperative pool.
    public func waitUntilExit() {
        lock.withLock {
            while ended == nil { lock.wait() }
        }
    }

    /// SIGTERM.
    public func terminate() { signal(SIGTERM) }
    /// SIGINT.
    public func interrupt() { signal(SIGINT) }

    /// Sends `signal` while the child runs; nothing once it has ended (its pid may be reused).
    public func signal(_ signal: Int32) {
        lock.withLock {
            if pid != 0 && ended == nil { kill(pid, signal) }
        }
    }

    // glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34) and `…_addchdir_np` (2.29), which
    // the Glibc module does not declare; looked up once (RTLD_DEFAULT is the null handle in glibc).
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
    private static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }

    private static func closeEverythingFrom3(_ actions: inout posix_spawn_file_actions_t) throws {
        if let addCloseFrom {
            let code = addCloseFrom(&actions, 3)
            guard code == 0 else { throw SpawnFailed(path: "posix_spawn_file_actions_addclosefrom_np", code: code) }
            return
        }
        // Older C libraries: close what /proc/self/fd lists, reading each name through its pointer.
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let fd = withUnsafeMutablePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 1) { Int32(String(cString: $0)) }
            }
            if let fd, fd > 2, fd != own { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }
}
