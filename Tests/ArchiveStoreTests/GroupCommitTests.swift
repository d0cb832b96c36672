@testable import ArchiveStore
import Foundation
import Synchronization
import Testing
import TestSupport
import StoreModel

@Suite struct GroupCommitTests {
    /// 32 concurrent appenders share fsyncs: fewer fsyncs than appends.
    @Test func concurrentAppendersShareFsyncs() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let before = store.statistics.fsyncs
            let appenders = 32, perAppender = 8
            let receipts = try await withThrowingTaskGroup(of: [(AppendReceipt, Int)].self) { group in
                for task in 0..<appenders {
                    group.addTask {
                        var mine: [(AppendReceipt, Int)] = []
                        for i in 0..<perAppender {
                            let n = task * perAppender + i
                            mine.append((try await store.append(message: message(n, padding: 200), envelope: envelope(n)), n))
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let appends = appenders * perAppender
            #expect(receipts.count == appends)
            let fsyncs = store.statistics.fsyncs - before
            print("group commit: \(appends) appends, \(fsyncs) fsyncs, \(store.statistics.batches) batches")
            #expect(fsyncs < appends)
            for (receipt, n) in receipts { #expect(try store.readBody(at: receipt.body) == message(n, padding: 200)) }
            #expect(Set(receipts.map(\.0.envelope)).count == appends)
            store.close()
            #expect(fixture.verify().envelopes == appends)
        }
    }

    /// Two stores on one directory (as `tresor import` beside `tresor serve`): appends never
    /// interleave, each catches up with the other's records, and dedup spans both.
    @Test func twoStoresOnOneDirectoryAppendConcurrently() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let first = try fixture.open { $0.segmentSizeLimit = 32 << 10 }
            let second = try fixture.open { $0.segmentSizeLimit = 32 << 10 }
            let shared = message(9_999, padding: 300)
            let results = try await withThrowingTaskGroup(of: (AppendReceipt, [UInt8]).self) { group in
                for n in 0..<120 {
                    let store = n % 2 == 0 ? first : second
                    group.addTask {
                        let raw = n % 10 == 0 ? shared : message(n, padding: 400)
                        return (try await store.append(message: raw, envelope: envelope(n)), raw)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (receipt, raw) in results {
                #expect(try first.readBody(at: receipt.body) == raw)
                #expect(try second.readBody(at: receipt.body) == raw)
            }
            let sharedBodies = Set(results.filter { $0.1 == shared }.map(\.0.body))
            #expect(sharedBodies.count == 1)
            first.close()
            second.close()
            let report = fixture.verify()
            #expect(report.problem == nil)
            #expect(report.envelopes == 120 && report.bodies == 109)
            #expect(report.segments > 1)
        }
    }

    /// A failed fsync is never retried: the batch fails, later appends fail, and reopening
    /// recovers an archive that verifies.
    @Test func failedFsyncFailsTheStoreUntilReopened() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let failing = FaultSwitch()
            let store = try fixture.open { $0.fsyncFault = { failing.isOn } }
            let kept = try await store.append(message: message(1), envelope: envelope(1))
            failing.turnOn()
            await #expect(throws: ArchiveError.self) { try await store.append(message: message(2), envelope: envelope(2)) }
            failing.turnOff()
            await #expect(throws: ArchiveError.self) { try await store.append(message: message(3), envelope: envelope(3)) }
            store.close()
            let reopened = try fixture.open()
            #expect(try reopened.readBody(at: kept.body) == message(1))
            _ = try await reopened.append(message: message(4), envelope: envelope(4))
            reopened.close()
            #expect(fixture.verify().problem == nil)
        }
    }

    @Test func appendsAfterCloseThrow() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            store.close()
            await #expect(throws: ArchiveError.closed) { try await store.append(event: .audit, payload: []) }
        }
    }
}

final class FaultSwitch: Sendable {
    private let on = Atomic<Bool>(false)
    var isOn: Bool { on.load(ordering: .relaxed) }
    func turnOn() { on.store(true, ordering: .relaxed) }
    func turnOff() { on.store(false, ordering: .relaxed) }
}
