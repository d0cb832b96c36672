import NIOCore

/// Where a connection's timeouts take their time from: the event loop's clock in production
/// (`EventLoopTimers`), a hand-driven clock in tests, so that a test moves time forward instead of
/// sleeping (STYLE.md: a controllable clock for timeouts).
public protocol TimerSource: Sendable {
    /// The time on this source's clock, from an arbitrary origin that never changes.
    func now() -> Duration
    /// Runs `action` on `eventLoop` once `delay` has passed on this clock, unless cancelled first.
    func schedule(after delay: Duration, on eventLoop: any EventLoop, _ action: @escaping @Sendable () -> Void)
        -> TimerHandle
}

/// A timer that `TimerSource.schedule` armed.
public struct TimerHandle: Sendable {
    private let cancelAction: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) {
        self.cancelAction = cancel
    }

    /// Stops the timer; nothing happens if it already fired.
    public func cancel() {
        cancelAction()
    }
}

/// The production timers: the event loop's monotonic clock and its scheduled tasks, so the
/// session's task never sleeps for a timeout.
public struct EventLoopTimers: TimerSource {
    public init() {}

    public func now() -> Duration {
        .nanoseconds(Int64(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds))
    }

    public func schedule(after delay: Duration, on eventLoop: any EventLoop, _ action: @escaping @Sendable () -> Void)
        -> TimerHandle
    {
        let scheduled = eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { action() }
        return TimerHandle(cancel: { scheduled.cancel() })
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating: a timeout of centuries stays positive).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max
            : scaled + attoseconds / 1_000_000_000
    }
}
