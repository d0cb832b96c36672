import Delivery
import Foundation
import Testing

/// The retry schedule with explicit times (no clock, no sleeping).
@Suite struct RetryScheduleTests {
    let created = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func stepsThenTheLastRepeatsUntilTheMaximumAge() throws {
        let schedule = RetrySchedule(steps: [.seconds(60), .seconds(300), .seconds(3600)], maximumAge: .seconds(86400))
        #expect(schedule.delay(afterFailedAttempts: 1) == .seconds(60))
        #expect(schedule.delay(afterFailedAttempts: 2) == .seconds(300))
        #expect(schedule.delay(afterFailedAttempts: 3) == .seconds(3600))
        #expect(schedule.delay(afterFailedAttempts: 9) == .seconds(3600))
        #expect(schedule.nextAttempt(afterFailedAttempts: 1, now: created, created: created)
                == created.addingTimeInterval(60))
        // Near the deadline the next attempt is the deadline itself, then nothing.
        let late = created.addingTimeInterval(86400 - 100)
        #expect(schedule.nextAttempt(afterFailedAttempts: 7, now: late, created: created)
                == created.addingTimeInterval(86400))
        #expect(schedule.nextAttempt(afterFailedAttempts: 8, now: created.addingTimeInterval(86400), created: created) == nil)
    }

    @Test func theDefaultGivesUpAfterFiveDays() {
        let schedule = RetrySchedule.standard
        var now = created
        var attempts = 0
        while let next = schedule.nextAttempt(afterFailedAttempts: attempts + 1, now: now, created: created) {
            attempts += 1
            now = next
            if attempts > 1000 { break }
        }
        #expect(now == created.addingTimeInterval(5 * 86400))
        // 1m, 5m, 30m, 2h, then every 6 h: 4 + 19 waits of 6 h fit before the 5-day deadline.
        #expect(attempts == 4 + 20)
    }

    @Test func durations() {
        #expect(RetrySchedule.parseDuration("90s") == .seconds(90))
        #expect(RetrySchedule.parseDuration("5m") == .seconds(300))
        #expect(RetrySchedule.parseDuration("2h") == .seconds(7200))
        #expect(RetrySchedule.parseDuration("5d") == .seconds(432_000))
        for bad in ["", "5", "m", "-1m", "0s", "1.5h", "3w"] { #expect(RetrySchedule.parseDuration(bad) == nil, "\(bad)") }
    }
}
