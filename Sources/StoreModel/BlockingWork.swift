import Dispatch
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one way Tresor's storage side runs blocking work — file reads and writes, fsync, zlib,
/// scrypt — without holding a thread of Swift's cooperative pool (one thread per core, two here;
/// a blocked one stalls every task behind it). Work runs on a concurrent Dispatch queue, at most
/// `limit` items at once; callers past the limit wait as suspended tasks, in arrival order.
///
/// Three instances: `io` for file work (many can wait on the disk at once), `cpu` for short work that
/// only burns a core (hashing, compressing, parsing, signing), and `passwordHashing` for scrypt
/// (tens of milliseconds and 32 MiB each): a flood of logins queues there, never in front of mail.
/// The archive's writer has a thread of its own (group commit) and is not routed through here.
public final class BlockingWork: Sendable {
    public static let io = BlockingWork(label: "tresor.blocking-io", limit: 16)
    public static let cpu = BlockingWork(
        label: "tresor.blocking-cpu", limit: max(1, ProcessInfo.processInfo.activeProcessorCount))
    public static let passwordHashing = BlockingWork(
        label: "tresor.password-hashing", limit: max(1, ProcessInfo.processInfo.activeProcessorCount))

    private let queue: DispatchQueue
    private let limit: Int
    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    public init(label: String, limit: Int) {
        self.queue = DispatchQueue(label: label, attributes: .concurrent)
        self.limit = max(1, limit)
    }

    /// Runs `work` off the cooperative pool and returns its result (or rethrows its error).
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        await acquire()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
            queue.async { continuation.resume(returning: Result { try work() }) }
        }
        release()
        return try result.get()
    }

    /// `run` for work that cannot fail.
    public func perform<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await acquire()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            queue.async { continuation.resume(returning: work()) }
        }
        release()
        return result
    }

    private func acquire() async {
        let admitted = state.withLock { state -> Bool in
            guard state.running < limit else { return false }
            state.running += 1
            return true
        }
        if admitted { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                // A release may have happened between the first check and here.
                if state.running < limit {
                    state.running += 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            // The slot passes straight to the next waiter.
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
