@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

@Suite struct RotationTests {
    @Test func segmentsAreSealedAtTheSizeLimit() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open { $0.segmentSizeLimit = 4096 }
            var receipts: [(AppendReceipt, [UInt8])] = []
            for n in 0..<30 {
                let raw = message(n, padding: 1500)
                receipts.append((try await store.append(message: raw, envelope: envelope(n)), raw))
            }
            let numbers = try fixture.segmentNumbers()
            #expect(numbers.count >= 5)
            for number in numbers.dropLast() {
                let url = fixture.segmentURL(number)
                let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
                #expect(attributes[.posixPermissions] as? Int == 0o444)
                #expect((attributes[.size] as? Int ?? .max) <= 4096)
            }
            for (receipt, raw) in receipts { #expect(try store.readBody(at: receipt.body) == raw) }
            #expect(store.statistics.sealedSegments == numbers.count - 1)
            store.close()
            let report = fixture.verify()
            #expect(report.problem == nil)
            #expect(report.segments == numbers.count && report.sealedSegments == numbers.count - 1)
        }
    }

    @Test func aNewUTCDayStartsANewSegment() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let clock = ManualClock(Date(timeIntervalSince1970: 1_700_000_000))  // 2023-11-14 22:13 UTC
            let store = try fixture.open { $0.now = { clock.now } }
            let first = try await store.append(message: message(1), envelope: envelope(1))
            clock.advance(by: 3600)  // 23:13, same day
            let second = try await store.append(message: message(2), envelope: envelope(2))
            #expect(second.body.segment == 1)
            clock.advance(by: 3600)  // 00:13 next day
            let third = try await store.append(message: message(3), envelope: envelope(3))
            #expect(first.body.segment == 1 && third.body.segment == 2)
            let seal = try store.readRecord(at: RecordLocation(segment: 1, offset: second.envelope.offset
                + UInt64(ArchiveFixture.frameLength(in: try fixture.bytes(of: fixture.segmentURL(1)), at: second.envelope.offset))))
            #expect(seal.kind == .seal && seal.seal?.recordCount == 4 && seal.seal?.segment == 1)
            store.close()
            let report = fixture.verify()
            #expect(report.isValid && report.sealedSegments == 1 && report.segments == 2)
        }
    }

    @Test func sealOnRequestThenKeepAppending() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            _ = try await store.append(message: message(1), envelope: envelope(1))
            try await store.sealActiveSegment()
            let next = try await store.append(message: message(2), envelope: envelope(2))
            #expect(next.body.segment == 2)
            store.close()
            #expect(fixture.verify().sealedSegments == 1)
            // Sealed segments are read-only on disk and the store reopens on the newest.
            let reopened = try fixture.open()
            #expect(try await reopened.append(message: message(3), envelope: envelope(3)).body.segment == 2)
            reopened.close()
            #expect(fixture.verify().isValid)
        }
    }
}
