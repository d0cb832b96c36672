@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

/// `forEachRecord(after:)` reads only what follows a record, across segment boundaries.
@Suite struct RecordIterationTests {
    @Test func iterationAfterARecordSkipsItAndEverythingBefore() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try ArchiveFixture(dir)
            // A small limit so that the records spread over several segments.
            let store = try fixture.open { $0.segmentSizeLimit = 2048 }
            defer { store.close() }
            for n in 0..<30 { _ = try await store.append(message: message(n), envelope: envelope(n)) }
            var all: [RecordLocation] = []
            try store.forEachRecord { all.append($0.location) }
            #expect(try fixture.segmentNumbers().count > 2)
            for cut in [0, 1, all.count / 2, all.count - 2, all.count - 1] {
                var after: [RecordLocation] = []
                try store.forEachRecord(after: all[cut]) { after.append($0.location) }
                #expect(after == Array(all[(cut + 1)...]), "after record \(cut)")
            }
        }
    }
}
