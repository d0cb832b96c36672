import Logging
import NIOCore
import Synchronization

/// Closes a connection whose client stopped taking our bytes: its receive window is full, so a
/// write waits in the channel for ever, and with it the session's task, its memory and its
/// connection slot. Started for each flush the session awaits, stopped when the write completes.
///
/// Each time `timeout` passes on the connection's timers, the bytes still buffered in the channel
/// are compared with the count at the previous look: fewer means the client is reading (a big
/// response to a slow reader) and the watch goes on; as many or more means no progress for a whole
/// `timeout`, so the "write timeout" event is logged and the channel closed. The channel's
/// writability events alone cannot tell this: they fire only around the high-water mark (64 KiB),
/// which the few hundred bytes of a stuck SMTP reply never reach, and a 50 MB response stays
/// unwritable while the client reads it slowly but steadily.
final class WriteStallWatch: Sendable {
    private struct State {
        var timer: TimerHandle?
        /// Bytes buffered in the channel at the last look (nil until the first).
        var buffered: Int?
        var stopped = false
    }

    private let state = Mutex(State())
    private let channel: any Channel
    private let timeout: Duration
    private let timers: any TimerSource
    private let logger: Logger

    private init(channel: any Channel, timeout: Duration, timers: any TimerSource, logger: Logger) {
        self.channel = channel
        self.timeout = timeout
        self.timers = timers
        self.logger = logger
    }

    /// Starts watching the write just handed to `channel`: the first look, on the event loop after
    /// the write, records what it left buffered.
    static func start(channel: any Channel, timeout: Duration, timers: any TimerSource, logger: Logger)
        -> WriteStallWatch
    {
        let watch = WriteStallWatch(channel: channel, timeout: timeout, timers: timers, logger: logger)
        channel.eventLoop.execute {
            let buffered = watch.bufferedBytes()
            watch.state.withLock { $0.buffered = buffered }
        }
        watch.arm()
        return watch
    }

    /// The write completed (or failed): no more looks.
    func stop() {
        let timer = state.withLock { state in
            state.stopped = true
            return state.timer
        }
        timer?.cancel()
    }

    private func arm() {
        let handle = timers.schedule(after: timeout, on: channel.eventLoop) { [self] in look() }
        let stopped = state.withLock { state in
            if !state.stopped { state.timer = handle }
            return state.stopped
        }
        if stopped { handle.cancel() }
    }

    /// On the event loop, `timeout` after the previous look.
    private func look() {
        let buffered = bufferedBytes()
        let progressed = state.withLock { state -> Bool? in
            guard !state.stopped else { return nil }
            defer { state.buffered = buffered }
            guard let previous = state.buffered else { return true }
            return buffered < previous
        }
        switch progressed {
        case nil: return
        case true?: arm()
        case false?:
            logger.notice("write timeout", metadata: ["timeout": "\(timeout)", "buffered": "\(buffered)"])
            channel.close(promise: nil)
        }
    }

    /// Bytes written to the channel and not yet taken by the socket (on the event loop).
    private func bufferedBytes() -> Int {
        (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }
}
