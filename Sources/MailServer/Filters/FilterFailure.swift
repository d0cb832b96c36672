/// Why a content filter gave no verdict. The fail mode (`FilterFailMode`) decides what the
/// message then gets; the description goes to the log, never to the SMTP client.
struct FilterFailure: Error, Sendable, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    static func timedOut(after timeout: Duration) -> FilterFailure {
        FilterFailure("no answer within \(timeout.components.seconds) s")
    }
}

/// What a message gets while its filter cannot be asked (down, timed out, or an answer that is
/// not a verdict).
public enum FilterFailMode: String, Sendable, Hashable, CaseIterable {
    /// Take the message unfiltered; the log says so.
    case accept
    /// 451 4.7.1: the client keeps the message and tries again later (RFC 5321 §4.2.5).
    case `defer`
}

/// Runs `operation` with a time limit measured on `clock`: when the sleep ends first the
/// operation's task is cancelled (the clients close their connection on cancellation) and this
/// throws `FilterFailure.timedOut`.
func withFilterTimeout<T: Sendable, C: Clock<Duration>>(
    _ timeout: Duration, clock: C, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await clock.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw FilterFailure.timedOut(after: timeout)
        }
        return value
    }
}
