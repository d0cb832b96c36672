import Synchronization

/// The bytes of messages being received at once, over every connection of every SMTP listener of
/// a server, and the cap on them: content spooled to disk still waits to be read back whole for
/// the archive, so without a cap a crowd of slow senders could fill the disk and, at the end of
/// their DATA, the memory (Postfix keeps every queue and buffer bounded the same way).
///
/// A connection reserves before it keeps content — the SIZE= of MAIL FROM (RFC 1870) at once,
/// then whatever the content grows beyond it — and releases all it holds when its transaction
/// ends, however it ends (delivered, refused, RSET, a new EHLO, the connection gone). What cannot
/// be reserved is answered with 452 4.3.1 (RFC 5321 §4.5.3.1.10, RFC 3463 §3.4). Shared by all
/// listeners; hence the mutex.
public final class SMTPInFlightBytes: Sendable {
    /// The most bytes held at once.
    public let capacity: Int
    private let used = Mutex(0)

    public init(capacity: Int) {
        precondition(capacity > 0, "the in-flight cap must be positive")
        self.capacity = capacity
    }

    /// Takes `count` bytes; false (nothing taken) when that would pass the cap. Taking 0 bytes
    /// asks whether any room is left at all.
    public func reserve(_ count: Int) -> Bool {
        used.withLock { used in
            guard count >= 0, used < capacity, count <= capacity - used else { return false }
            used += count
            return true
        }
    }

    /// Gives back bytes taken with `reserve`.
    public func release(_ count: Int) {
        guard count > 0 else { return }
        used.withLock { used in
            precondition(count <= used, "released more in-flight bytes than were reserved")
            used -= count
        }
    }

    /// Bytes held now (for tests and metrics).
    public var inUse: Int { used.withLock { $0 } }
}
