import Foundation
import MailStore
import Synchronization

/// Samples how far a running server's background attachment indexer is behind (messages with
/// attachments not read yet, and the age of the oldest of them), as `tresor status` reads it
/// from the data directory, every `interval` while a benchmark delivers and until it caught up.
final class AttachmentLagWatcher: Sendable {
    let dataDirectory: URL
    let interval: Duration
    private struct State {
        var messages: [Int] = []
        var seconds: [Double] = []
        var stopping = false
        var errors = 0
        var catchUp: Double?
    }
    private let state = Mutex(State())

    init(dataDirectory: URL, interval: Duration = .milliseconds(250)) {
        self.dataDirectory = dataDirectory
        self.interval = interval
    }

    /// Samples until `stopWhenCaughtUp` was called and a sample shows nothing behind (or 10 minutes after).
    func watch() async {
        var stoppedAt: ContinuousClock.Instant?
        while true {
            do {
                let status = try await MailStore.status(dataDirectory: dataDirectory, serverRunning: true)
                let lag = status.attachmentIndex
                let done = state.withLock { state -> Bool in
                    state.messages.append(lag.messages)
                    state.seconds.append(lag.seconds)
                    return state.stopping && lag.messages == 0
                }
                if state.withLock({ $0.stopping }), stoppedAt == nil { stoppedAt = .now }
                if done {
                    let after = stoppedAt.map { start in
                        let elapsed = start.duration(to: .now).components
                        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                    } ?? 0
                    state.withLock { $0.catchUp = after }
                    return
                }
            } catch {
                state.withLock { $0.errors += 1 }
            }
            if let stoppedAt, stoppedAt.duration(to: .now) > .seconds(600) { return }
            try? await Task.sleep(for: interval)
        }
    }

    func stopWhenCaughtUp() {
        state.withLock { $0.stopping = true }
    }

    func report() {
        let snapshot = state.withLock { $0 }
        func percentile<T: Comparable>(_ values: [T], _ fraction: Double) -> T? {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return nil }
            return sorted[min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
        }
        Report.line("attachment index samples", "\(snapshot.messages.count) (every \(interval)), \(snapshot.errors) failed reads")
        Report.line("  messages behind", "p50 \(percentile(snapshot.messages, 0.5) ?? 0), p99 \(percentile(snapshot.messages, 0.99) ?? 0), "
            + "max \(snapshot.messages.max() ?? 0)")
        Report.line("  seconds behind", String(format: "p50 %.1f, p99 %.1f, max %.1f", percentile(snapshot.seconds, 0.5) ?? 0,
                                               percentile(snapshot.seconds, 0.99) ?? 0, snapshot.seconds.max() ?? 0))
        Report.line("  caught up after delivery",
                    snapshot.catchUp.map { String(format: "%.1f s", $0) } ?? "not within 10 minutes")
    }
}
