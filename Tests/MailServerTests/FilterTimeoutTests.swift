import Synchronization
import Testing
@testable import MailServer

/// `withFilterTimeout` on a clock the test controls: the limit ends a filter that does not
/// answer (its task is cancelled, as the clients need to close their connection), and a filter
/// that answers in time is not disturbed.
@Suite struct FilterTimeoutTests {
    /// A clock whose every sleep is over at once: the time limit has always run out.
    struct ElapsedClock: Clock {
        struct Instant: InstantProtocol {
            var offset: Duration
            func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
            func duration(to other: Instant) -> Duration { other.offset - offset }
            static func < (left: Instant, right: Instant) -> Bool { left.offset < right.offset }
        }
        var now: Instant { Instant(offset: .zero) }
        var minimumResolution: Duration { .zero }
        func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
    }

    @Test func aFilterThatDoesNotAnswerIsCancelledAndTimesOut() async {
        let cancelled = Mutex(false)
        await #expect(throws: FilterFailure.self) {
            try await withFilterTimeout(.seconds(15), clock: ElapsedClock()) { () async throws -> Int in
                // Waits for cancellation only: a filter that never answers.
                let (stream, _) = AsyncStream<Int>.makeStream()
                await withTaskCancellationHandler {
                    for await _ in stream {}
                } onCancel: {
                    cancelled.withLock { $0 = true }
                }
                return 0
            }
        }
        #expect(cancelled.withLock { $0 })
    }

    @Test func aFilterThatAnswersInTimeGivesItsAnswer() async throws {
        let answer = try await withFilterTimeout(.seconds(3600), clock: ContinuousClock()) { 42 }
        #expect(answer == 42)
    }
}
