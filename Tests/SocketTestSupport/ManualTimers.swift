import NIOCore
import ServerKit
import Synchronization

/// Timers on a clock that only a test moves (`advance(by:)`), so that a test of a timeout drives
/// time instead of sleeping. Timers that come due run on their event loop, as real ones do.
/// `waitForSchedules(atLeast:)` lets a test wait until the server has armed its next timer, which
/// it does each time it starts waiting for the client: that is how a test knows its bytes were read.
public final class ManualTimers: TimerSource {
    private struct Pending {
        var deadline: Duration
        var eventLoop: any EventLoop
        var action: @Sendable () -> Void
    }

    private struct State {
        var now: Duration = .zero
        var pending: [Int: Pending] = [:]
        var scheduled = 0
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func now() -> Duration {
        state.withLock { $0.now }
    }

    public func schedule(after delay: Duration, on eventLoop: any EventLoop, _ action: @escaping @Sendable () -> Void)
        -> TimerHandle
    {
        let (id, ready) = state.withLock { state in
            let id = state.scheduled
            state.scheduled += 1
            state.pending[id] = Pending(deadline: state.now + delay, eventLoop: eventLoop, action: action)
            let count = state.scheduled
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return (id, ready)
        }
        for continuation in ready { continuation.resume() }
        return TimerHandle(cancel: { [weak self] in
            _ = self?.state.withLock { $0.pending.removeValue(forKey: id) }
        })
    }

    /// How many timers were armed so far (cancelled and fired ones included).
    public var scheduledCount: Int {
        state.withLock { $0.scheduled }
    }

    /// Returns once `count` timers in all have been armed.
    public func waitForSchedules(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.scheduled >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Moves the clock forward and runs, on their event loops, the timers that came due; how many.
    @discardableResult
    public func advance(by duration: Duration) -> Int {
        let due = state.withLock { state in
            state.now += duration
            let due = state.pending.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.pending.removeValue(forKey: id) }
            return due.sorted { $0.key < $1.key }.map(\.value)
        }
        for timer in due { timer.eventLoop.execute(timer.action) }
        return due.count
    }
}

/// Counts the server's waits for the client: it arms one timer each time it starts waiting, so
/// after the greeting and after each read it has armed one more. `next()` returns once the
/// server waits again, so that moving the clock afterwards counts from the bytes just read.
public struct ServerWaits {
    public let timers: ManualTimers
    private var count = 0

    public init(_ timers: ManualTimers) {
        self.timers = timers
    }

    public mutating func next() async {
        count += 1
        await timers.waitForSchedules(atLeast: count)
    }
}
