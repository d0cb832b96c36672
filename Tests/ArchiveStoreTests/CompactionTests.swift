@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

/// Purge records and compaction: survivors stay at their logical locations, removed records read
/// as purged, disk space is reclaimed, `verify` passes and lists the purge, and tampering with a
/// stub, the offset table or the purge record is found.
@Suite struct CompactionTests {
    /// Ten messages: 0–3 in segment 1 (sealed), 4–7 in segment 2 (sealed), 8–9 in segment 3.
    func build(_ fixture: ArchiveFixture, _ store: ArchiveStore) async throws -> [AppendReceipt] {
        var receipts: [AppendReceipt] = []
        for n in 0..<10 {
            receipts.append(try await store.append(message: message(n, padding: 2000), envelope: envelope(n)))
            if n == 3 || n == 7 { try await store.sealActiveSegment() }
        }
        return receipts
    }

    func purge(_ store: ArchiveStore, _ receipts: [AppendReceipt], _ numbers: [Int]) async throws
        -> (location: RecordLocation, record: PurgeRecord)
    {
        let messages = numbers.map { PurgeItem(sha256: receipts[$0].sha256, policy: "test", scope: .archiveAndMailboxes) }
        return try await store.journalPurge(PurgeRecord(
            id: UUID().uuidString, time: Date(timeIntervalSince1970: 1_800_000_000), actor: "tester", reason: "expired",
            messages: messages))
    }

    @Test func survivorsStayAtTheirLocationsAndPurgedRecordsAreGone() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let receipts = try await build(fixture, store)
            let sizeBefore = try store.bytesOnDisk()
            let segment1Before = try fixture.bytes(of: fixture.segmentURL(1)).count
            let journaled = try await purge(store, receipts, [1, 5])
            #expect(journaled.record.removed.count == 4)
            #expect(Set(journaled.record.removed.map(\.location))
                == [receipts[1].body, receipts[1].envelope, receipts[5].body, receipts[5].envelope])
            let results = try await store.compact(after: journaled.record)
            #expect(results.map(\.segment) == [1, 2])
            #expect(results.allSatisfy { $0.stubsWritten == 2 && $0.bytesAfter < $0.bytesBefore })
            #expect(try fixture.bytes(of: fixture.segmentURL(1)).count < segment1Before - 1000)
            #expect(try store.bytesOnDisk() < sizeBefore)

            for n in 0..<10 where n != 1 && n != 5 {
                #expect(try store.readBody(at: receipts[n].body) == message(n, padding: 2000))
                #expect(try store.readRecord(at: receipts[n].envelope).envelope == envelope(n))
            }
            #expect(throws: ArchiveError.purged(receipts[1].body)) { try store.readBody(at: receipts[1].body) }
            #expect(try store.readBody(sha256: receipts[5].sha256) == nil)
            #expect(!store.containsBody(sha256: receipts[1].sha256))
            let stub = try store.readRecord(at: receipts[5].envelope)
            #expect(stub.kind == .purged && stub.purgedKind == .envelope)

            var kinds: [RecordLocation: ArchiveRecordKind] = [:]
            try store.forEachRecord { kinds[$0.location] = $0.kind }
            #expect(kinds[receipts[1].body] == .purged && kinds[receipts[5].envelope] == .purged)
            #expect(kinds[receipts[4].body] == .body && kinds[receipts[6].envelope] == .envelope)

            let report = fixture.verify()
            #expect(report.problem == nil, "\(String(describing: report.problem))")
            #expect(report.compactedSegments == 2 && report.purgedRecords == 4)
            #expect(report.purges.count == 1)
            #expect(report.purges.first?.location == journaled.location)
            #expect(report.purges.first?.stubsFound == 4 && report.purges.first?.record.actor == "tester")
            store.close()

            // Reopened: the same reads, and the purged bodies are not in the dedup index.
            let reopened = try fixture.open()
            defer { reopened.close() }
            #expect(try reopened.readBody(at: receipts[7].body) == message(7, padding: 2000))
            #expect(!reopened.containsBody(sha256: receipts[1].sha256))
            #expect(reopened.containsBody(sha256: receipts[0].sha256))
        }
    }

    @Test func aPurgeInTheActiveSegmentSealsItAndTheSameMessageCanArriveAgain() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let receipts = try await build(fixture, store)
            let journaled = try await purge(store, receipts, [9])
            #expect(try fixture.segmentNumbers() == [1, 2, 3, 4])
            #expect(journaled.location.segment == 3)
            let results = try await store.compact(after: journaled.record)
            #expect(results.map(\.segment) == [3])
            // Delivered again after the purge: a new body, not a reference to the stub.
            let again = try await store.append(message: message(9, padding: 2000), envelope: envelope(99))
            #expect(!again.deduplicated && again.body.segment == 4)
            #expect(try store.readBody(sha256: receipts[9].sha256) == message(9, padding: 2000))
            store.close()
            #expect(fixture.verify().problem == nil)
            let reopened = try fixture.open()
            defer { reopened.close() }
            #expect(reopened.bodyLocation(sha256: receipts[9].sha256) == again.body)
        }
    }

    @Test func aBodyDeduplicatedAcrossSegmentsGoesWithEveryEnvelopeNamingIt() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            defer { store.close() }
            let receipts = try await build(fixture, store)
            // Message 2 (body in segment 1) delivered again into segments 3 and, after a seal, 4.
            let again = try await store.append(message: message(2, padding: 2000), envelope: envelope(20))
            try await store.sealActiveSegment()
            let third = try await store.append(message: message(2, padding: 2000), envelope: envelope(21))
            #expect(again.deduplicated && third.deduplicated && third.body == receipts[2].body)
            let journaled = try await purge(store, receipts, [2])
            #expect(Set(journaled.record.removed.map(\.location))
                == [receipts[2].body, receipts[2].envelope, again.envelope, third.envelope])
            let results = try await store.compact(after: journaled.record)
            #expect(results.map(\.segment) == [1, 3, 4] && results.map(\.stubsWritten) == [2, 1, 1])
            let report = fixture.verify()
            #expect(report.problem == nil, "\(String(describing: report.problem))")
            #expect(report.compactedSegments == 3 && report.purges.first?.stubsFound == 4)
        }
    }

    @Test func aJournaledPurgeNotYetCompactedIsNeverDeduplicatedAgainst() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let receipts = try await build(fixture, store)
            _ = try await purge(store, receipts, [2])
            store.close()  // "crash" before compaction
            let reopened = try fixture.open()
            defer { reopened.close() }
            #expect(!reopened.containsBody(sha256: receipts[2].sha256))
            let again = try await reopened.append(message: message(2, padding: 2000), envelope: envelope(42))
            #expect(!again.deduplicated)
            #expect(fixture.verify().problem == nil)
        }
    }

    @Test func compactionIsIdempotentAndLeftoversAreRemovedOnOpen() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let receipts = try await build(fixture, store)
            let journaled = try await purge(store, receipts, [0, 3])
            let first = try await store.compact(after: journaled.record)
            let second = try await store.compact(after: journaled.record)
            #expect(first.map(\.stubsWritten) == [4])
            #expect(second.map(\.stubsWritten) == [0] && second[0].bytesAfter == first[0].bytesAfter)
            await #expect(throws: ArchiveError.notSealed(segment: 3)) {
                try await store.compact(segment: 3, removing: [UInt64(receipts[8].envelope.offset)])
            }
            store.close()
            let leftover = fixture.archiveDirectory.appendingPathComponent(SegmentName.fileName(2) + ".compacting")
            try Data([1, 2, 3]).write(to: leftover)
            let reopened = try fixture.open()
            reopened.close()
            #expect(!FileManager.default.fileExists(atPath: leftover.path))
            #expect(fixture.verify().problem == nil)
        }
    }

    // MARK: - Tampering

    /// A compacted segment 1 (messages 1 and 2 purged) and where its stubs are in the file.
    func compacted(_ directory: URL) async throws -> (ArchiveFixture, [AppendReceipt]) {
        let fixture = try ArchiveFixture(directory)
        let store = try fixture.open()
        let receipts = try await build(fixture, store)
        let journaled = try await purge(store, receipts, [1, 2])
        _ = try await store.compact(after: journaled.record)
        store.close()
        #expect(fixture.verify().problem == nil)
        return (fixture, receipts)
    }

    /// The physical offset of the frame with logical offset `logical` in a compacted file.
    func physical(_ bytes: [UInt8], logical: UInt64) throws -> Int {
        let trailer = bytes.count - CompactionIndex.trailerSize
        var reader = ByteReader(bytes[trailer...])
        let table = Int(reader.read(UInt64.self)!), count = Int(reader.read(UInt64.self)!)
        for entry in 0..<count {
            var fields = ByteReader(bytes[(table + entry * 16)...])
            if fields.read(UInt64.self)! == logical { return Int(fields.read(UInt64.self)!) }
        }
        throw CancellationError()
    }

    static func fixCRC(_ bytes: inout [UInt8], frameAt start: Int) {
        let length = ArchiveFixture.frameLength(in: bytes, at: UInt64(start))
        var crc: [UInt8] = []
        crc.appendBigEndian(crc32Of(bytes[start..<(start + length - 4)]))
        bytes.replaceSubrange((start + length - 4)..<(start + length), with: crc)
    }

    @Test func aStubWithAnotherRecordHashFailsVerify() async throws {
        try await withTemporaryDirectory { directory in
            let (fixture, receipts) = try await compacted(directory)
            var bytes = try fixture.bytes(of: fixture.segmentURL(1))
            let start = try physical(bytes, logical: receipts[1].body.offset)
            bytes[start + 4 + RecordFrame.fixedSize + 2 + 5] ^= 0x01  // inside the kept record hash
            Self.fixCRC(&bytes, frameAt: start)
            try fixture.overwrite(fixture.segmentURL(1), with: bytes)
            let problem = fixture.verify().problem
            #expect(problem?.segment == 1 && problem?.offset == receipts[1].body.offset)
            #expect(problem?.reason.contains("chain") == true)
        }
    }

    @Test func aStubClaimingAnotherLengthFailsVerify() async throws {
        try await withTemporaryDirectory { directory in
            let (fixture, receipts) = try await compacted(directory)
            var bytes = try fixture.bytes(of: fixture.segmentURL(1))
            let start = try physical(bytes, logical: receipts[2].envelope.offset)
            bytes[start + 4 + RecordFrame.fixedSize + PurgedStub.size - 1] ^= 0x04  // original length
            Self.fixCRC(&bytes, frameAt: start)
            try fixture.overwrite(fixture.segmentURL(1), with: bytes)
            let problem = fixture.verify().problem
            #expect(problem?.segment == 1, "\(String(describing: problem))")
        }
    }

    @Test func aShiftedOffsetTableFailsVerify() async throws {
        try await withTemporaryDirectory { directory in
            let (fixture, receipts) = try await compacted(directory)
            var bytes = try fixture.bytes(of: fixture.segmentURL(1))
            let trailer = bytes.count - CompactionIndex.trailerSize
            var reader = ByteReader(bytes[trailer...])
            let table = Int(reader.read(UInt64.self)!), count = Int(reader.read(UInt64.self)!)
            // Move the logical offset of record 3's body by 8 bytes (still increasing), fix the CRC.
            for entry in 0..<count {
                var fields = ByteReader(bytes[(table + entry * 16)...])
                guard fields.read(UInt64.self)! == receipts[3].body.offset else { continue }
                var moved: [UInt8] = []
                moved.appendBigEndian(receipts[3].body.offset + 8)
                bytes.replaceSubrange((table + entry * 16)..<(table + entry * 16 + 8), with: moved)
            }
            var crc: [UInt8] = []
            crc.appendBigEndian(crc32Of(Array(bytes[table..<(table + count * 16)]) + Array(bytes[trailer..<(trailer + 16)])))
            bytes.replaceSubrange((trailer + 16)..<(trailer + 20), with: crc)
            try fixture.overwrite(fixture.segmentURL(1), with: bytes)
            let problem = fixture.verify().problem
            #expect(problem?.segment == 1 && problem?.offset == receipts[3].body.offset + 8, "\(String(describing: problem))")
        }
    }

    @Test func aDamagedOffsetTableFailsVerify() async throws {
        try await withTemporaryDirectory { directory in
            let (fixture, _) = try await compacted(directory)
            var bytes = try fixture.bytes(of: fixture.segmentURL(1))
            bytes[bytes.count - CompactionIndex.trailerSize - 3] ^= 0xFF
            try fixture.overwrite(fixture.segmentURL(1), with: bytes)
            #expect(fixture.verify().problem?.reason.contains("offset table") == true)
        }
    }

    @Test func aRecordReplacedByAStubWithoutAPurgeRecordFailsVerify() async throws {
        try await withTemporaryDirectory { directory in
            let (fixture, receipts) = try await compacted(directory)
            // Stub message 3's envelope by hand, as a forger would, keeping the chain intact.
            let original = try fixture.bytes(of: fixture.segmentURL(1))
            let start = try physical(original, logical: receipts[3].envelope.offset)
            let length = ArchiveFixture.frameLength(in: original, at: UInt64(start))
            let frame = RecordFrame.decodeFields(original[start..<(start + length)], payloadLength: length - RecordFrame.overhead)
            var stub: [UInt8] = []
            PurgedStub.frame(replacing: frame, frameLength: length).encode(into: &stub)
            var bytes = original
            bytes.replaceSubrange(start..<(start + length), with: stub)
            // Rebuild the offset table for the shorter file.
            let shift = UInt64(length - stub.count)
            let trailer = original.count - CompactionIndex.trailerSize
            var reader = ByteReader(original[trailer...])
            let table = Int(reader.read(UInt64.self)!), count = Int(reader.read(UInt64.self)!)
            var entries: [CompactionIndex.Entry] = []
            for entry in 0..<count {
                var fields = ByteReader(original[(table + entry * 16)...])
                let logical = fields.read(UInt64.self)!, physical = fields.read(UInt64.self)!
                entries.append(.init(logical: logical, physical: physical > UInt64(start) ? physical - shift : physical))
            }
            let index = CompactionIndex(entries: entries, tableOffset: UInt64(table) - shift)
            bytes = Array(bytes[0..<(table - Int(shift))]) + index.encoded()
            try fixture.overwrite(fixture.segmentURL(1), with: bytes)
            let problem = fixture.verify().problem
            #expect(problem?.offset == receipts[3].envelope.offset)
            #expect(problem?.reason.contains("not named by any purge record") == true, "\(String(describing: problem))")
        }
    }
}
