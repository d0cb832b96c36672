@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

@Suite struct RecoveryTests {
    /// The last record cut at every byte offset (a crash before its fsync, so HEAD is the one
    /// of the batch before): reopening keeps every earlier record and the archive verifies.
    @Test func tornTailIsCutAtEveryByteOffset() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            var store = try fixture.open()
            var earlier: [AppendReceipt] = []
            for n in 0..<3 { earlier.append(try await store.append(message: message(n, padding: 50), envelope: envelope(n))) }
            let headBefore = try fixture.bytes(of: fixture.headURL)
            let last = try await store.append(event: .audit, payload: Array(#"{"action":"torn"}"#.utf8))
            store.close()
            let full = try fixture.bytes(of: fixture.segmentURL(1))
            let lastLength = ArchiveFixture.frameLength(in: full, at: last.offset)
            #expect(Int(last.offset) + lastLength == full.count)
            for cut in 0..<lastLength {
                try fixture.overwrite(fixture.segmentURL(1), with: Array(full[0..<(Int(last.offset) + cut)]))
                try fixture.overwrite(fixture.headURL, with: headBefore)
                store = try fixture.open()
                #expect(try FileManager.default.attributesOfItem(atPath: fixture.segmentURL(1).path)[.size] as? Int
                    == Int(last.offset), "cut at \(cut)")
                #expect(store.statistics.records == 6)
                for (n, receipt) in earlier.enumerated() {
                    #expect(try store.readBody(at: receipt.body) == message(n, padding: 50))
                }
                store.close()
                let report = fixture.verify()
                #expect(report.problem == nil, "cut at \(cut): \(String(describing: report.problem))")
                #expect(report.records == 6)
            }
            // After recovery the store appends again where the tail was cut.
            store = try fixture.open()
            let again = try await store.append(event: .audit, payload: [])
            #expect(again == last)
            store.close()
            #expect(fixture.verify().isValid)
        }
    }

    /// Damage inside what HEAD acknowledged is not a torn tail: opening refuses to cut it.
    @Test func damageBeforeHeadIsNotTruncated() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let receipt = try await store.append(message: message(1, padding: 300), envelope: envelope(1))
            _ = try await store.append(message: message(2, padding: 300), envelope: envelope(2))
            store.close()
            var bytes = try fixture.bytes(of: fixture.segmentURL(1))
            bytes[Int(receipt.body.offset) + 100] ^= 0xFF
            try fixture.overwrite(fixture.segmentURL(1), with: bytes)
            #expect(throws: ArchiveError.self) { try fixture.open() }
            #expect(try fixture.bytes(of: fixture.segmentURL(1)).count == bytes.count)
        }
    }

    /// HEAD that leads the files means acknowledged records are gone: refuse to open.
    @Test func headAheadOfTheFilesRefusesToOpen() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let receipt = try await store.append(message: message(1), envelope: envelope(1))
            store.close()
            let bytes = try fixture.bytes(of: fixture.segmentURL(1))
            try fixture.overwrite(fixture.segmentURL(1), with: Array(bytes[0..<Int(receipt.envelope.offset)]))
            #expect(throws: ArchiveError.self) { try fixture.open() }
            #expect(fixture.verify().problem?.offset == receipt.envelope.offset)
        }
    }
}
