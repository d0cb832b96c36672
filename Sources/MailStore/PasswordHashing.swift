import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs password hashing off Swift's cooperative pool (one thread per core, two here): a scrypt
/// derivation takes tens of milliseconds and 32 MiB, and would otherwise stall every task behind
/// it. At most one derivation per core runs at once, so a flood of AUTH attempts queues up instead
/// of exhausting memory.
enum PasswordHashing {
    private static let gate = Gate(permits: max(1, ProcessInfo.processInfo.activeProcessorCount))
    private static let queue = DispatchQueue(label: "tresor.password-hashing", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        await gate.acquire()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>, Never>) in
            queue.async { continuation.resume(returning: Result { try work() }) }
        }
        await gate.release()
        return try result.get()
    }

    /// A counting semaphore for tasks: waiters resume in arrival order.
    private actor Gate {
        private var available: Int
        private var waiters: [CheckedContinuation<Void, Never>] = []

        init(permits: Int) { available = permits }

        func acquire() async {
            if available > 0 {
                available -= 1
                return
            }
            await withCheckedContinuation { waiters.append($0) }
        }

        func release() {
            if waiters.isEmpty {
                available += 1
            } else {
                waiters.removeFirst().resume()
            }
        }
    }
}
