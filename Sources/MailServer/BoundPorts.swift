import Synchronization

/// The ports the listeners actually bound (what port 0 became), by listener name:
/// `smtp`, `submission`, `submissions`, `pop3`, `pop3s`, `managesieve`, `imap`, `imaps`.
public struct BoundPorts: Sendable, Equatable {
    public var ports: [String: Int] = [:]
    public subscript(name: String) -> Int? { ports[name] }
}

/// Calls `onReady` once, when every expected listener has reported its port.
final class ReadyLatch: Sendable {
    private let expected: Set<String>
    private let onReady: @Sendable (BoundPorts) -> Void
    private let bound = Mutex(BoundPorts())

    init(expected: Set<String>, onReady: @escaping @Sendable (BoundPorts) -> Void) {
        self.expected = expected
        self.onReady = onReady
        if expected.isEmpty { onReady(BoundPorts()) }
    }

    func bound(_ name: String, port: Int) {
        let complete: BoundPorts? = bound.withLock { ports in
            guard ports.ports[name] == nil else { return nil }
            ports.ports[name] = port
            return Set(ports.ports.keys) == expected ? ports : nil
        }
        if let complete { onReady(complete) }
    }
}
