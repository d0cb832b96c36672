import Synchronization

/// Failed logins per client IP over a sliding window, for every protocol (SMTP AUTH, IMAP
/// LOGIN/AUTHENTICATE, POP3, ManageSieve): the delay before a failure is answered doubles with
/// each recent failure (base, 2×, 4×, capped at 8×), so one address cannot guess fast while a
/// single typo costs only the base delay. The table is bounded: past `maximumAddresses`
/// entries, addresses without a failure inside the window are dropped.
final class AuthenticationThrottle: Sendable {
    private let baseDelay: Duration
    private let window: Duration = .seconds(600)
    private let maximumAddresses = 10_000
    private let failures = Mutex([String: [ContinuousClock.Instant]]())
    private let now: @Sendable () -> ContinuousClock.Instant

    init(baseDelay: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.baseDelay = baseDelay
        self.now = now
    }

    /// Records a failure and returns how long to wait before answering it.
    func recordFailure(from address: String) -> Duration {
        let now = self.now()
        let recent = failures.withLock { table -> Int in
            var list = table[address, default: []].filter { now - $0 < window }
            list.append(now)
            table[address] = list
            if table.count > maximumAddresses {
                table = table.filter { !$0.value.isEmpty && now - $0.value.last! < window }
            }
            return list.count
        }
        return baseDelay * (1 << min(recent - 1, 3))
    }
}
