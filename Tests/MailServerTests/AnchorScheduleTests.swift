import Foundation
import MailStore
import Testing
@testable import MailServer

/// `AnchorSchedule`: when the server asks which TSA, as a pure value moved by hand.
@Suite struct AnchorScheduleTests {
    static let a = "http://a.test/tsa", b = "http://b.test/tsa"
    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    static func tip(_ offset: UInt64, nonAnchor: UInt64? = nil, sealed: Int = 0) -> ArchiveTip {
        let location = RecordLocation(segment: 1, offset: offset)
        return ArchiveTip(last: ChainPoint(location: location, chain: [UInt8](repeating: 1, count: 32)),
                          lastNonAnchor: RecordLocation(segment: 1, offset: nonAnchor ?? offset), records: Int(offset),
                          sealedSegments: sealed)
    }

    @Test func aTSAThatNeverStampedIsAskedAtOnce() {
        var schedule = AnchorSchedule(urls: [Self.a, Self.b], interval: .seconds(3600))
        #expect(schedule.due(now: Self.start, tip: Self.tip(100)) == [Self.a, Self.b])
        let empty = ArchiveTip(last: nil, lastNonAnchor: nil, records: 0, sealedSegments: 0)
        var fresh = AnchorSchedule(urls: [Self.a], interval: .seconds(3600))
        #expect(fresh.due(now: Self.start, tip: empty).isEmpty, "an empty archive has nothing to stamp")
    }

    @Test func stampsDoNotStampEachOther() {
        var schedule = AnchorSchedule(urls: [Self.a], interval: .seconds(3600))
        _ = schedule.due(now: Self.start, tip: Self.tip(100))
        schedule.stamped(Self.a, covering: RecordLocation(segment: 1, offset: 100), at: Self.start)
        // The anchor record moved the tip, but nothing else came: a day later nothing is due.
        #expect(schedule.due(now: Self.start.addingTimeInterval(86_400), tip: Self.tip(180, nonAnchor: 100)).isEmpty)
    }

    @Test func aMovedArchiveIsStampedWhenTheIntervalPassed() {
        var schedule = AnchorSchedule(urls: [Self.a], interval: .seconds(3600))
        _ = schedule.due(now: Self.start, tip: Self.tip(100))
        schedule.stamped(Self.a, covering: RecordLocation(segment: 1, offset: 100), at: Self.start)
        #expect(schedule.due(now: Self.start.addingTimeInterval(3599), tip: Self.tip(500)).isEmpty)
        #expect(schedule.due(now: Self.start.addingTimeInterval(3600), tip: Self.tip(500)) == [Self.a])
    }

    @Test func aSealIsStampedAtOnce() {
        var schedule = AnchorSchedule(urls: [Self.a], interval: .seconds(3600))
        _ = schedule.due(now: Self.start, tip: Self.tip(100))
        schedule.stamped(Self.a, covering: RecordLocation(segment: 1, offset: 100), at: Self.start)
        #expect(schedule.due(now: Self.start.addingTimeInterval(60), tip: Self.tip(100, sealed: 1)).isEmpty,
                "nothing to stamp until a record is past the stamped one")
        #expect(schedule.due(now: Self.start.addingTimeInterval(61), tip: Self.tip(700, sealed: 1)) == [Self.a])
    }

    @Test func aFailingTSAIsRetriedWithBackOffAndDelaysNoOther() {
        var schedule = AnchorSchedule(urls: [Self.a, Self.b], interval: .seconds(3600))
        #expect(schedule.due(now: Self.start, tip: Self.tip(100)) == [Self.a, Self.b])
        schedule.stamped(Self.b, covering: RecordLocation(segment: 1, offset: 100), at: Self.start)
        #expect(schedule.failed(Self.a, at: Self.start) == Self.start.addingTimeInterval(60))
        #expect(schedule.due(now: Self.start.addingTimeInterval(59), tip: Self.tip(150, nonAnchor: 100)).isEmpty)
        #expect(schedule.due(now: Self.start.addingTimeInterval(60), tip: Self.tip(150, nonAnchor: 100)) == [Self.a])
        #expect(schedule.failed(Self.a, at: Self.start.addingTimeInterval(60)) == Self.start.addingTimeInterval(180))
        var later = Self.start.addingTimeInterval(180)
        for _ in 0..<10 { later = schedule.failed(Self.a, at: later) }
        let retry = schedule.failed(Self.a, at: later)
        #expect(retry.timeIntervalSince(later) == 3600, "never more than the interval apart")
        schedule.stamped(Self.a, covering: RecordLocation(segment: 1, offset: 100), at: retry)
        #expect(schedule.authorities[Self.a]?.failures == 0)
    }

    @Test func aRestartResumesFromTheNewestStamps() {
        let point = ChainPoint(location: RecordLocation(segment: 1, offset: 300), chain: [UInt8](repeating: 2, count: 32))
        let record = AnchorRecord(point: point, records: 9, tsa: Self.a, genTime: Self.start, token: [0x30])
        let newest = [JournaledAnchor(location: RecordLocation(segment: 1, offset: 400), record: record)]
        var schedule = AnchorSchedule(urls: [Self.a], interval: .seconds(3600), newest: newest)
        #expect(schedule.due(now: Self.start.addingTimeInterval(7200), tip: Self.tip(400, nonAnchor: 300)).isEmpty)
        #expect(schedule.due(now: Self.start.addingTimeInterval(600), tip: Self.tip(800)).isEmpty)
        #expect(schedule.due(now: Self.start.addingTimeInterval(3600), tip: Self.tip(800)) == [Self.a])
    }

    @Test func theWitnessGoesOutOnceADayAfterAStamp() {
        var schedule = AnchorSchedule(urls: [Self.a], interval: .seconds(3600), witnessDay: nil)
        #expect(!schedule.witnessDue(now: Self.start), "no stamp to carry yet")
        schedule.stamped(Self.a, covering: RecordLocation(segment: 1, offset: 100), at: Self.start)
        #expect(schedule.witnessDue(now: Self.start))
        schedule.witnessMailed(at: Self.start)
        #expect(!schedule.witnessDue(now: Self.start.addingTimeInterval(3600)))
        let tomorrow = Self.start.addingTimeInterval(86_400)
        #expect(schedule.witnessDue(now: tomorrow))
        schedule.witnessFailed(at: tomorrow)
        #expect(!schedule.witnessDue(now: tomorrow.addingTimeInterval(1800)))
        #expect(schedule.witnessDue(now: tomorrow.addingTimeInterval(3600)))
        let resumed = AnchorSchedule(urls: [Self.a], interval: .seconds(3600), witnessDay: Timestamp.day(tomorrow))
        #expect(!resumed.witnessDue(now: tomorrow), "mailed today before a restart")
    }
}
