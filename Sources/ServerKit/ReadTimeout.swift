import NIOCore

/// Closes a connection when the peer stays silent too long (RFC 5321 §4.5.3.2.7, RFC 9051 §5.4),
/// after writing a last reply. Armed before each read and cancelled when bytes arrive; the timer
/// runs on the channel's event loop, so the session's task never sleeps.
public struct ReadTimeout: Sendable {
    private let scheduled: Scheduled<Void>

    /// Arms a timer that writes `farewell` and closes `channel` after `timeout`.
    public init(channel: any Channel, timeout: Duration, farewell: ByteBuffer) {
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        scheduled = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            channel.writeAndFlush(farewell).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Stops the timer (bytes arrived in time).
    public func cancel() {
        scheduled.cancel()
    }
}
