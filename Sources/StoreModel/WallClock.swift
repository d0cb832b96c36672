#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The time of day as storage reads it: when a message was received, when an audit entry was
/// written, when a retention period ends. Injected everywhere library code needs "now", so that
/// tests (and `--as-of` previews) can set it; `system` is the real clock.
public struct WallClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let system = WallClock { Date() }

    /// A clock that always reads `date`.
    public static func fixed(_ date: Date) -> WallClock { WallClock { date } }
}
