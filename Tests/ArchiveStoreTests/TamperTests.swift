@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

/// Each kind of tampering makes `verify` fail and name the segment and byte offset.
@Suite struct TamperTests {
    /// Three segments: messages 0–3 in segment 1 (sealed), 4–7 in segment 2 (sealed), 8–9 in
    /// segment 3; plus a copy of segment 1 and of segment 3 taken before their last appends.
    struct Built {
        var fixture: ArchiveFixture
        var receipts: [AppendReceipt]
        var olderSegment1: [UInt8]
        var olderSegment3: [UInt8]
    }

    func build(_ directory: URL) async throws -> Built {
        let fixture = try ArchiveFixture(directory)
        let store = try fixture.open()
        var receipts: [AppendReceipt] = []
        var olderSegment1: [UInt8] = []
        var olderSegment3: [UInt8] = []
        for n in 0..<10 {
            if n == 3 { olderSegment1 = try fixture.bytes(of: fixture.segmentURL(1)) }
            if n == 9 { olderSegment3 = try fixture.bytes(of: fixture.segmentURL(3)) }
            receipts.append(try await store.append(message: message(n, padding: 300), envelope: envelope(n)))
            if n == 3 || n == 7 { try await store.sealActiveSegment() }
        }
        store.close()
        #expect(fixture.verify().problem == nil)
        return Built(fixture: fixture, receipts: receipts, olderSegment1: olderSegment1, olderSegment3: olderSegment3)
    }

    func mutate(_ fixture: ArchiveFixture, segment: UInt32, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = try fixture.bytes(of: fixture.segmentURL(segment))
        change(&bytes)
        try fixture.overwrite(fixture.segmentURL(segment), with: bytes)
    }

    func expectProblem(_ fixture: ArchiveFixture, segment: UInt32, offset: UInt64, _ comment: Comment) {
        let problem = fixture.verify().problem
        #expect(problem?.segment == segment, comment)
        #expect(problem?.offset == offset, comment)
        #expect(problem?.file == SegmentName.fileName(segment), comment)
        if let problem { print("verify found: \(problem)") }
    }

    @Test func flippedByteInABody() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            let body = built.receipts[5].body
            try mutate(built.fixture, segment: body.segment) { $0[Int(body.offset) + 4 + RecordFrame.fixedSize + 20] ^= 0x01 }
            expectProblem(built.fixture, segment: 2, offset: body.offset, "flipped body byte")
        }
    }

    @Test func flippedByteInAnEnvelope() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            let envelope = built.receipts[1].envelope
            try mutate(built.fixture, segment: 1) { $0[Int(envelope.offset) + 4 + RecordFrame.fixedSize + 10] ^= 0x20 }
            expectProblem(built.fixture, segment: 1, offset: envelope.offset, "flipped envelope byte")
        }
    }

    /// A byte flipped and the frame CRC recomputed, as a careful forger would: the chain shows it.
    @Test func alteredEnvelopeWithAFixedCRC() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            let envelope = built.receipts[2].envelope
            try mutate(built.fixture, segment: 1) { bytes in
                let start = Int(envelope.offset)
                let length = ArchiveFixture.frameLength(in: bytes, at: envelope.offset)
                bytes[start + 4 + RecordFrame.fixedSize + 10] ^= 0x20
                var crc: [UInt8] = []
                crc.appendBigEndian(crc32Of(bytes[start..<(start + length - 4)]))
                bytes.replaceSubrange((start + length - 4)..<(start + length), with: crc)
            }
            expectProblem(built.fixture, segment: 1, offset: envelope.offset, "altered envelope, CRC fixed")
        }
    }

    @Test func deletedRecord() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            let envelope = built.receipts[5].envelope
            try mutate(built.fixture, segment: 2) { bytes in
                let length = ArchiveFixture.frameLength(in: bytes, at: envelope.offset)
                bytes.removeSubrange(Int(envelope.offset)..<(Int(envelope.offset) + length))
            }
            expectProblem(built.fixture, segment: 2, offset: envelope.offset, "deleted record")
        }
    }

    @Test func twoRecordsSwapped() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            let first = built.receipts[1].envelope  // envelope 1, then body 2
            let second = built.receipts[2].body
            try mutate(built.fixture, segment: 1) { bytes in
                let a = Int(first.offset), b = Int(second.offset)
                #expect(a + ArchiveFixture.frameLength(in: bytes, at: first.offset) == b)
                let end = b + ArchiveFixture.frameLength(in: bytes, at: second.offset)
                let swapped = Array(bytes[b..<end]) + Array(bytes[a..<b])
                bytes.replaceSubrange(a..<end, with: swapped)
            }
            expectProblem(built.fixture, segment: 1, offset: first.offset, "swapped records")
        }
    }

    @Test func segmentRemoved() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            try FileManager.default.removeItem(at: built.fixture.segmentURL(2))
            expectProblem(built.fixture, segment: 2, offset: 0, "segment 2 removed")
        }
    }

    @Test func lastSegmentRemoved() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            try FileManager.default.removeItem(at: built.fixture.segmentURL(3))
            let problem = built.fixture.verify().problem
            #expect(problem?.segment == 3)
        }
    }

    @Test func sealedSegmentReplacedByAnOlderCopy() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            try built.fixture.overwrite(built.fixture.segmentURL(1), with: built.olderSegment1)
            expectProblem(built.fixture, segment: 1, offset: UInt64(built.olderSegment1.count), "older segment 1")
        }
    }

    @Test func activeSegmentReplacedByAnOlderCopy() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            try built.fixture.overwrite(built.fixture.segmentURL(3), with: built.olderSegment3)
            expectProblem(built.fixture, segment: 3, offset: UInt64(built.olderSegment3.count), "older segment 3")
        }
    }

    @Test func forgedSealSignature() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            // The seal is the last record of segment 1; its signature is the payload's last 64 bytes.
            let bytes = try built.fixture.bytes(of: built.fixture.segmentURL(1))
            let sealOffset = bytes.count - (RecordFrame.overhead + SealInfo.size)
            try mutate(built.fixture, segment: 1) { $0[$0.count - 4 - 10] ^= 0x01 }
            #expect(built.fixture.verify().problem?.offset == UInt64(sealOffset))
        }
    }

    @Test func verifyWithAnotherKeyFails() async throws {
        try await withTemporaryDirectory { directory in
            let built = try await build(directory)
            let other = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: other) }
            let stranger = try ArchiveKey.create(inKeysDirectory: other)
            let report = ArchiveVerifier.verify(dataDirectory: built.fixture.dataDirectory, publicKey: stranger.publicKey)
            #expect(report.problem != nil)
        }
    }
}
