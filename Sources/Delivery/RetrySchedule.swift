#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When to try a deferred message again, and when to give up (RFC 5321 §4.5.4.1: retry at least
/// 30 minutes apart, give up after 4–5 days). The steps are the waits after the first, second, …
/// failed attempt; the last step repeats. A message older than `maximumAge` is not tried again:
/// it fails and its sender gets a DSN (status 4.4.7, RFC 3463 §3.5 "delivery time expired").
public struct RetrySchedule: Sendable, Hashable {
    public var steps: [Duration]
    public var maximumAge: Duration

    /// 1 min, 5 min, 30 min, 2 h, then every 6 h, for up to 5 days.
    public static let standard = RetrySchedule(
        steps: [.seconds(60), .seconds(300), .seconds(1800), .seconds(7200), .seconds(21600)],
        maximumAge: .seconds(5 * 86400))

    public init(steps: [Duration], maximumAge: Duration) {
        precondition(!steps.isEmpty, "a retry schedule has at least one step")
        self.steps = steps
        self.maximumAge = maximumAge
    }

    /// The wait after the `failedAttempts`-th failed attempt (1 = the first).
    public func delay(afterFailedAttempts failedAttempts: Int) -> Duration {
        steps[min(max(failedAttempts, 1), steps.count) - 1]
    }

    /// The next attempt after a failure at `now`, or nil when the message, queued at `created`,
    /// has reached its maximum age (now, or before the next attempt would come).
    public func nextAttempt(afterFailedAttempts failedAttempts: Int, now: Date, created: Date) -> Date? {
        let age = now.timeIntervalSince(created)
        guard age < Self.seconds(maximumAge) else { return nil }
        let next = now.addingTimeInterval(Self.seconds(delay(afterFailedAttempts: failedAttempts)))
        // One last attempt at the deadline rather than none after it.
        return min(next, created.addingTimeInterval(Self.seconds(maximumAge)))
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }

    /// "90s", "5m", "2h", "5d" (an integer and one unit) → a duration; nil when not of that form.
    public static func parseDuration(_ text: String) -> Duration? {
        guard let unit = text.last, let number = Int(text.dropLast()), number > 0 else { return nil }
        let multiplier: Int
        switch unit {
        case "s": multiplier = 1
        case "m": multiplier = 60
        case "h": multiplier = 3600
        case "d": multiplier = 86400
        default: return nil
        }
        let (seconds, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : .seconds(seconds)
    }
}
