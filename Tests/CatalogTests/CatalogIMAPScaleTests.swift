import Testing

@testable import Catalog
import StoreModel

/// A 10,000-message mailbox: the snapshot is one query; STORE on 1:* commits in batches of
/// `MailboxLimits.messagesPerTransaction`, one MODSEQ each.
@Suite struct CatalogIMAPScaleTests {
    @Test func tenThousandMessagesSnapshotAndStoreAll() async throws {
        try await CatalogIMAPTests.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            for batch in 0..<10 {
                try await CatalogIMAPTests.deliver(1_000, from: batch * 1_000, catalog: catalog, fixtures: &fixtures)
            }
            let snapshot = try await catalog.mailboxes.snapshot(of: "INBOX", of: CatalogIMAPTests.anna)
            #expect(snapshot.messages.count == 10_000)
            #expect(snapshot.messages.last?.uid == 10_000)
            let stored = try await catalog.mailboxes.storeFlags(MessageFlags(system: .seen), mode: .add, uids: [1...UInt32.max],
                                                      in: "INBOX", of: CatalogIMAPTests.anna)
            #expect(stored.messages.count == 10_000)
            // HIGHESTMODSEQ 1 + 10,000 placements, then one MODSEQ per batch, in UID order.
            let batches = (10_000 + MailboxLimits.messagesPerTransaction - 1) / MailboxLimits.messagesPerTransaction
            #expect(Set(stored.messages.map(\.modSeq)) == Set((0..<UInt64(batches)).map { 10_002 + $0 }))
            #expect(stored.messages.map(\.modSeq) == stored.messages.map(\.modSeq).sorted())
            #expect(stored.highestModSeq == 10_001 + UInt64(batches))
        }
    }
}
