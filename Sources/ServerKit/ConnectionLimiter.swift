import Synchronization

/// Counts open connections per client address and refuses past a limit, so one host cannot take
/// every slot (Postfix `smtpd_client_connection_count_limit`). Shared by all connection tasks of a
/// listener, hence the mutex.
public final class ConnectionLimiter: Sendable {
    public let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    public init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot for `address`; false (and nothing taken) when it already holds `limit`.
    public func acquire(_ address: String) -> Bool {
        counts.withLock { counts in
            let current = counts[address, default: 0]
            guard current < limit else { return false }
            counts[address] = current + 1
            return true
        }
    }

    /// Gives back a slot taken by `acquire`.
    public func release(_ address: String) {
        counts.withLock { counts in
            let remaining = counts[address, default: 1] - 1
            counts[address] = remaining > 0 ? remaining : nil
        }
    }

    /// Open connections from `address`.
    public func count(_ address: String) -> Int {
        counts.withLock { $0[address, default: 0] }
    }
}
