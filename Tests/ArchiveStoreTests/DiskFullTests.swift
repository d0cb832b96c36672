@testable import ArchiveStore
import Foundation
import Glibc
import Testing
import TestSupport
import StoreModel

/// A disk that fills is a passing condition, not a broken store: a write that fails with ENOSPC
/// (half of its bytes already in the segment, as a filling disk leaves them) fails only its
/// batch, the partial record is cut exactly as recovery cuts a torn tail, and appends succeed
/// again once there is room, in the same store, without reopening it.
@Suite struct DiskFullTests {
    @Test(arguments: [ENOSPC, EDQUOT, EIO])
    func aFailedWriteDefersItsBatchAndTheStoreGoesOn(code: Int32) async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let full = FaultSwitch()
            let store = try fixture.open { $0.writeFault = { full.isOn ? code : nil } }
            let first = try await store.append(message: message(1, padding: 4000), envelope: envelope(1))
            let segment = fixture.segmentURL(first.envelope.segment)
            let sizeBefore = try #require(FileIO.size(atPath: segment.path))
            full.turnOn()
            for n in 2...4 {
                await #expect(throws: ArchiveError.io(operation: "pwrite", path: segment.path, errno: code)) {
                    try await store.append(message: message(n, padding: 4000), envelope: envelope(n))
                }
            }
            // The half-written records are gone: the segment ends where the last durable one does.
            #expect(FileIO.size(atPath: segment.path) == sizeBefore)
            full.turnOff()
            let later = try await store.append(message: message(5, padding: 4000), envelope: envelope(5))
            // The retried message is stored again, and not taken for a duplicate of a cut record.
            let retried = try await store.append(message: message(2, padding: 4000), envelope: envelope(2))
            #expect(!retried.deduplicated)
            #expect(try store.readBody(at: first.body) == message(1, padding: 4000))
            #expect(try store.readBody(at: later.body) == message(5, padding: 4000))
            #expect(try store.readBody(at: retried.body) == message(2, padding: 4000))
            store.close()
            let report = fixture.verify()
            #expect(report.problem == nil)
            #expect(report.envelopes == 3)
            let reopened = try fixture.open()
            #expect(try reopened.readBody(at: retried.body) == message(2, padding: 4000))
            reopened.close()
        }
    }
}
