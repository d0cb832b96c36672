import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When `AnchorService` asks which TSA for a stamp, and when it mails the witness: a pure value,
/// told the time and the archive's tip, tested without a network or a clock.
///
/// Rules, per TSA (each keeps its own state, so one that is down delays no other):
/// - Nothing is due while the archive did not move since the TSA's last stamp: no record other
///   than anchors after the point it covered (`ArchiveTip.lastNonAnchor`), so stamps never stamp
///   each other.
/// - A stamp is due once the archive moved and `interval` passed since the TSA's last stamp, or at
///   once after a segment was sealed, or at once when the TSA has never stamped.
/// - A failed stamp is retried after 1, 2, 4 … minutes, never more than `interval` apart, until one
///   succeeds; meanwhile the gap shows in `tresor anchor status` and `verify`.
/// - The witness mail goes out at most once per UTC day, once a stamp exists to carry.
struct AnchorSchedule: Sendable, Equatable {
    struct Authority: Sendable, Equatable {
        /// The last record other than an anchor that its newest stamp covers.
        var covered: RecordLocation?
        var stampedAt: Date?
        var failures = 0
        var retryAt: Date?
        /// A segment was sealed since its last stamp.
        var sealPending = false
    }

    let interval: TimeInterval
    static let firstRetry: TimeInterval = 60
    private(set) var authorities: [String: Authority]
    /// The sealed segments seen at the last tick (nil before the first).
    private(set) var sealedSegments: Int?
    /// The UTC day (`2026-01-05`) the last witness mail went out.
    private(set) var witnessDay: String?
    /// After a failed witness mail, when to try again.
    private(set) var witnessRetryAt: Date?
    static let witnessRetry: TimeInterval = 3600

    /// `urls`: the configured TSAs; `newest`: their newest journaled stamps (a restart resumes from
    /// them); `witnessDay`: when the witness was last mailed.
    init(urls: [String], interval: Duration, newest: [JournaledAnchor] = [], witnessDay: String? = nil) {
        self.interval = Double(interval.components.seconds)
        var authorities: [String: Authority] = [:]
        for url in urls {
            var state = Authority()
            if let anchor = newest.last(where: { $0.record.tsa == url }) {
                state.covered = anchor.record.location
                state.stampedAt = anchor.record.genTime
            }
            authorities[url] = state
        }
        self.authorities = authorities
        self.witnessDay = witnessDay
    }

    /// The TSAs to ask now (sorted), given the tip.
    mutating func due(now: Date, tip: ArchiveTip) -> [String] {
        if let seen = sealedSegments, tip.sealedSegments > seen {
            for url in authorities.keys { authorities[url]?.sealPending = true }
        }
        sealedSegments = tip.sealedSegments
        guard let moved = tip.lastNonAnchor else { return [] }
        var due: [String] = []
        for (url, state) in authorities {
            if let covered = state.covered, moved <= covered { continue }
            if let retryAt = state.retryAt, now < retryAt { continue }
            let intervalPassed = state.stampedAt.map { now.timeIntervalSince($0) >= interval } ?? true
            if intervalPassed || state.sealPending || state.failures > 0 { due.append(url) }
        }
        return due.sorted()
    }

    /// `url` stamped a point at `now` that covers the records up to `covering`.
    mutating func stamped(_ url: String, covering: RecordLocation?, at now: Date) {
        authorities[url] = Authority(covered: covering, stampedAt: now)
    }

    /// `url` failed at `now`; returns when it is asked again.
    @discardableResult
    mutating func failed(_ url: String, at now: Date) -> Date {
        var state = authorities[url] ?? Authority()
        state.failures += 1
        let wait = min(interval, Self.firstRetry * Double(1 << min(state.failures - 1, 20)))
        state.retryAt = now.addingTimeInterval(wait)
        authorities[url] = state
        return state.retryAt!
    }

    /// Whether the witness mail is due: some TSA has stamped, none went out this UTC day, and no
    /// failed attempt asks to wait.
    func witnessDue(now: Date) -> Bool {
        authorities.values.contains { $0.stampedAt != nil } && witnessDay != Timestamp.day(now)
            && witnessRetryAt.map { now >= $0 } ?? true
    }

    mutating func witnessMailed(at now: Date) {
        witnessDay = Timestamp.day(now)
        witnessRetryAt = nil
    }

    /// The witness mail failed at `now`: tried again an hour later.
    mutating func witnessFailed(at now: Date) {
        witnessRetryAt = now.addingTimeInterval(Self.witnessRetry)
    }
}
