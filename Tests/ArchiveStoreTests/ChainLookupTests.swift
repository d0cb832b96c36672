@testable import ArchiveStore
import Foundation
import StoreModel
import Testing
import TestSupport

/// `ArchiveVerifier.chainValues`: the chain value after a record, read from the files alone, and only
/// at real record boundaries.
@Suite struct ChainLookupTests {
    @Test func answersAtRecordBoundariesOnly() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try ArchiveFixture(dir)
            let store = try fixture.open { $0.segmentSizeLimit = 4096 }
            var receipts: [AppendReceipt] = []
            for n in 0..<12 { receipts.append(try await store.append(message: message(n, padding: 300), envelope: envelope(n))) }
            var chains: [RecordLocation: String] = [:]
            try store.forEachRecord { chains[$0.location] = $0.chain }
            store.close()
            #expect(Set(chains.keys.map(\.segment)).count > 1, "the records should span several segments")

            let inside = RecordLocation(segment: receipts[3].body.segment, offset: receipts[3].body.offset + 7)
            let missingSegment = RecordLocation(segment: 999, offset: 60)
            let wanted: Set<RecordLocation> = [receipts[0].body, receipts[5].envelope, receipts[11].envelope, inside,
                                               missingSegment]
            let found = ArchiveVerifier.chainValues(dataDirectory: dir, at: wanted)
            #expect(Set(found.keys) == [receipts[0].body, receipts[5].envelope, receipts[11].envelope])
            for (location, chain) in found { #expect(Hex.string(chain) == chains[location]) }
        }
    }

    @Test func theTipIsTheLastRecordAndSkipsAnchors() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try ArchiveFixture(dir)
            let store = try fixture.open()
            #expect(store.tip.last == nil && store.tip.records == 0)
            let receipt = try await store.append(message: message(1), envelope: envelope(1))
            #expect(store.tip.last?.location == receipt.envelope && store.tip.lastNonAnchor == receipt.envelope)
            let anchor = try await store.append(event: .anchor, payload: Array("{}".utf8))
            #expect(store.tip.last?.location == anchor && store.tip.lastNonAnchor == receipt.envelope)
            try await store.sealActiveSegment()
            let sealed = store.tip
            #expect(sealed.sealedSegments == 1 && sealed.lastNonAnchor == sealed.last?.location)
            #expect(sealed.last.map { $0.location > anchor } == true)
            store.close()
            let reopened = try fixture.open()
            defer { reopened.close() }
            #expect(reopened.tip == sealed)
        }
    }
}
