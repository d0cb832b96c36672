@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

/// Two stores on one data directory stand for two processes (each has its own `flock`
/// descriptor): a purge by one must reach the other's dedup index and readers.
@Suite struct CompactionProcessTests {
    @Test func anotherWriterLearnsOfThePurgeAndItsReadersOfTheNewFile() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let server = try fixture.open()
            defer { server.close() }
            var receipts: [AppendReceipt] = []
            for n in 0..<4 { receipts.append(try await server.append(message: message(n, padding: 3000), envelope: envelope(n))) }
            // The server has read both bodies once: its readers hold the segment open.
            #expect(try server.readBody(at: receipts[1].body) == message(1, padding: 3000))
            #expect(try server.readBody(at: receipts[2].body) == message(2, padding: 3000))

            let cli = try fixture.open()
            let journaled = try await cli.journalPurge(PurgeRecord(
                id: "cli-purge", time: Date(), actor: "cli", reason: "expired",
                messages: [PurgeItem(sha256: receipts[1].sha256, policy: "p", scope: .archiveAndMailboxes)]))
            let results = try await cli.compact(after: journaled.record)
            #expect(results.map(\.segment) == [1] && results[0].stubsWritten == 2)
            cli.close()

            // The server's readers notice the replaced file: the purged body is gone, others stay.
            #expect(throws: ArchiveError.purged(receipts[1].body)) { try server.readBody(at: receipts[1].body) }
            #expect(try server.readBody(at: receipts[2].body) == message(2, padding: 3000))
            // Its writer reads the purge record before its next batch: no dedup against the stub.
            let again = try await server.append(message: message(1, padding: 3000), envelope: envelope(11))
            #expect(!again.deduplicated)
            #expect(try server.readBody(sha256: receipts[1].sha256) == message(1, padding: 3000))
            let other = try await server.append(message: message(3, padding: 3000), envelope: envelope(13))
            #expect(other.deduplicated && other.body == receipts[3].body)
            #expect(fixture.verify().problem == nil)
        }
    }
}
