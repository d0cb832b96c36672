#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Settings of the outbound workers (from `[delivery]` in tresor.toml).
public struct OutboundDeliveryConfiguration: Sendable {
    /// Our name in EHLO and the DSN's Reporting-MTA.
    public var hostname: String
    public var router: OutboundRouter
    public var schedule: RetrySchedule
    /// How many domains are delivered to at once.
    public var workers: Int
    public var timeouts: SMTPClientTimeouts
    /// How often the service looks for due rows (new mail, `tresor queue retry` from the CLI).
    public var pollInterval: Duration
    /// The most rows one domain's batch takes at a time.
    public var batchLimit: Int

    public init(hostname: String, router: OutboundRouter, schedule: RetrySchedule = .standard, workers: Int = 4,
                timeouts: SMTPClientTimeouts = .init(), pollInterval: Duration = .seconds(1), batchLimit: Int = 200) {
        self.hostname = hostname
        self.router = router
        self.schedule = schedule
        self.workers = max(1, workers)
        self.timeouts = timeouts
        self.pollInterval = pollInterval
        self.batchLimit = max(1, batchLimit)
    }
}

/// What a run did, for logs and tests.
public struct OutboundRunReport: Sendable, Hashable {
    public var delivered = 0
    public var deferred = 0
    public var failed = 0
    public var bounces = 0
    public init() {}
    mutating func add(_ other: OutboundRunReport) {
        delivered += other.delivered
        deferred += other.deferred
        failed += other.failed
        bounces += other.bounces
    }
}
