import Synchronization

/// Whether a new connection may be served, and if not, why.
public enum ConnectionAdmission: Hashable, Sendable {
    case admitted
    /// Its client address already holds as many connections as one address may.
    case tooManyFromAddress
    /// The server already serves as many connections as it may in all.
    case serverFull
}

/// Counts open connections per client address and in total, and refuses past either limit, so
/// that one host cannot take every slot (Postfix `smtpd_client_connection_count_limit`) and a
/// crowd of hosts cannot exhaust file descriptors and memory. One limiter is shared by every
/// listener of a server, whatever its protocol, so an address's connections count together on all
/// ports; hence the mutex.
public final class ConnectionLimiter: Sendable {
    /// Connections one client address may hold at once.
    public let limit: Int
    /// Connections the server serves at once, from all addresses together.
    public let total: Int
    private struct Counts { var perAddress: [String: Int] = [:]; var open = 0 }
    private let counts = Mutex(Counts())
    /// Told of every accepted connection: the listener's name (its logger's `listener` metadata)
    /// and whether it was admitted; for the server's metrics.
    public let onAccept: @Sendable (_ listener: String, _ admission: ConnectionAdmission) -> Void

    public init(limit: Int, total: Int = .max,
                onAccept: @escaping @Sendable (_ listener: String, _ admission: ConnectionAdmission) -> Void = { _, _ in }) {
        self.limit = limit
        self.total = total
        self.onAccept = onAccept
    }

    /// Takes a slot for `address`, unless a limit refuses it (then nothing is taken).
    public func admit(_ address: String) -> ConnectionAdmission {
        counts.withLock { counts in
            let current = counts.perAddress[address, default: 0]
            guard current < limit else { return .tooManyFromAddress }
            guard counts.open < total else { return .serverFull }
            counts.perAddress[address] = current + 1
            counts.open += 1
            return .admitted
        }
    }

    /// Takes a slot for `address`; false (and nothing taken) when a limit refuses it.
    public func acquire(_ address: String) -> Bool {
        admit(address) == .admitted
    }

    /// Gives back a slot taken by `admit` or `acquire`.
    public func release(_ address: String) {
        counts.withLock { counts in
            guard let current = counts.perAddress[address] else { return }
            counts.perAddress[address] = current > 1 ? current - 1 : nil
            counts.open -= 1
        }
    }

    /// Open connections from `address`.
    public func count(_ address: String) -> Int {
        counts.withLock { $0.perAddress[address, default: 0] }
    }

    /// Open connections from all addresses.
    public var openConnections: Int {
        counts.withLock { $0.open }
    }
}
