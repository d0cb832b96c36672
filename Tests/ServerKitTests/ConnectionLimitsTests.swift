import ServerKit
import Testing

@Suite struct ConnectionLimitsTests {
    @Test func limiterRefusesPastTheTotalWhateverTheAddress() {
        let limiter = ConnectionLimiter(limit: 2, total: 3)
        #expect(limiter.admit("192.0.2.1") == .admitted)
        #expect(limiter.admit("192.0.2.1") == .admitted)
        #expect(limiter.admit("192.0.2.1") == .tooManyFromAddress)
        #expect(limiter.admit("192.0.2.2") == .admitted)
        #expect(limiter.admit("192.0.2.3") == .serverFull)
        #expect(limiter.openConnections == 3)
        limiter.release("192.0.2.2")
        #expect(limiter.admit("192.0.2.3") == .admitted)
        #expect(limiter.count("192.0.2.3") == 1)
    }

    @Test func aRefusalTakesNoSlot() {
        let limiter = ConnectionLimiter(limit: 1, total: 1)
        #expect(limiter.admit("192.0.2.1") == .admitted)
        #expect(limiter.admit("192.0.2.2") == .serverFull)
        #expect(limiter.admit("192.0.2.1") == .tooManyFromAddress)
        limiter.release("192.0.2.1")
        #expect(limiter.openConnections == 0)
        #expect(limiter.admit("192.0.2.2") == .admitted)
    }

    /// A release for an address that holds nothing changes nothing (it cannot free another's slot).
    @Test func releaseWithoutASlotIsIgnored() {
        let limiter = ConnectionLimiter(limit: 1, total: 1)
        #expect(limiter.admit("192.0.2.1") == .admitted)
        limiter.release("192.0.2.9")
        #expect(limiter.openConnections == 1)
        #expect(limiter.admit("192.0.2.2") == .serverFull)
    }

    @Test func deadlineGrowsOnlyWithTheBytesReceived() {
        let deadline = CommandDeadline(grace: .seconds(60), minimumBytesPerSecond: 500)
        #expect(deadline.allowance(forBytes: 0) == .seconds(60))
        #expect(deadline.allowance(forBytes: 250) == .seconds(60.5))
        #expect(deadline.allowance(forBytes: 500) == .seconds(61))
        // 50 MB at the minimum rate: 100,000 s on top of the grace.
        #expect(deadline.allowance(forBytes: 50_000_000) == .seconds(100_060))
    }
}
