import ArchiveStore
import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// SMTP delivery through `MailStore.deliver(message:envelope:)`: journal, index, INBOX placement
/// and the outbound queue, then recovery after a crash between journal and catalog.
@Suite struct DeliveryTests {
    static func envelope(from: String = "sender@remote.test", to recipients: [String],
                         direction: Direction = .inbound, source: MessageSource = .smtp) -> Envelope {
        Envelope(mailFrom: from, recipients: recipients, receivedAt: Date(timeIntervalSince1970: 1_750_000_000),
                 clientAddress: "192.0.2.7", helo: "mx.remote.test", direction: direction, source: source)
    }

    @Test func localRecipientsGetINBOXPlacementsWithIncreasingUIDs() async throws {
        try await ResolutionTests.withAccounts { store in
            var uids: [UInt32] = [], hashes: [String] = []
            for n in 0..<3 {
                let raw = ImportSessionTests.message(n)
                let outcome = try await store.delivery.deliver(message: raw, envelope: Self.envelope(to: ["anna+news@example.org"]))
                #expect(outcome.queued.isEmpty && outcome.undeliverable.isEmpty)
                let placement = try #require(outcome.placements.first)
                #expect(outcome.placements.count == 1)
                #expect(placement.user == "anna@example.org" && placement.mailbox == "INBOX")
                uids.append(placement.uid)
                hashes.append(outcome.receipt.sha256)
            }
            #expect(uids == [1, 2, 3])
            let inbox = try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org")
            #expect(inbox.map(\.uid) == [1, 2, 3])
            #expect(inbox.map(\.sha256) == hashes)
            #expect(Set(hashes).count == 3)
            #expect(inbox.allSatisfy { $0.flags.isEmpty && $0.internalDate == Date(timeIntervalSince1970: 1_750_000_000) })
            #expect(inbox[0].size == ImportSessionTests.message(0).count)
            let boxes = try await store.mailboxes.mailboxes(of: "anna@example.org")
            #expect(boxes.first?.name == "INBOX" && boxes.first?.uidNext == 4 && boxes.first?.messages == 3)
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "bob@example.org").isEmpty)
            #expect(try await store.queue.list().isEmpty)
        }
    }

    @Test func remoteRecipientsAreQueued() async throws {
        try await ResolutionTests.withAccounts { store in
            let raw = ImportSessionTests.message(1)
            let outcome = try await store.delivery.deliver(
                message: raw, envelope: Self.envelope(from: "anna@example.org", to: ["Dora@Far.test", "eve@far.test"],
                                                      direction: .outbound, source: MessageSource("submission")))
            #expect(outcome.placements.isEmpty)
            #expect(outcome.queued == ["Dora@Far.test", "eve@far.test"])
            let queue = try await store.queue.list()
            #expect(queue.map(\.recipient) == ["Dora@Far.test", "eve@far.test"])
            #expect(queue.allSatisfy {
                $0.status == "queued" && $0.attempts == 0 && $0.mailFrom == "anna@example.org"
                    && $0.sha256 == outcome.receipt.sha256 && $0.envelopeLocation == outcome.receipt.envelope.description
                    && $0.lastError == nil
            })
        }
    }

    /// One body in the archive, two placements, one queue row; the alias and the user it names
    /// reach that user once.
    @Test func mixedRecipientsShareOneArchivedBody() async throws {
        try await ResolutionTests.withAccounts { store in
            let raw = ImportSessionTests.message(7)
            let outcome = try await store.delivery.deliver(
                message: raw,
                envelope: Self.envelope(to: ["team@example.org", "anna@example.org", "forward@example.org",
                                             "gone@example.org"]))
            #expect(Set(outcome.placements.map(\.user)) == ["anna@example.org", "bob@example.org"])
            #expect(outcome.placements.count == 2)
            #expect(outcome.queued == ["Carl@Remote.test"])
            #expect(outcome.undeliverable == ["gone@example.org"])
            #expect(store.archive.statistics.envelopes == 1)
            #expect(store.archive.statistics.bodies == 1)
            for user in ["anna@example.org", "bob@example.org"] {
                let inbox = try await store.mailboxes.messages(in: "INBOX", of: user)
                #expect(inbox.map(\.sha256) == [outcome.receipt.sha256])
            }
            // The delivery is indexed with its direction and source.
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "direction:in source:smtp")) == 1)
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "direction:out")) == 0)
        }
    }

    @Test func directionAndSourceAreJournaled() async throws {
        try await ResolutionTests.withAccounts { store in
            let outcome = try await store.delivery.deliver(
                message: ImportSessionTests.message(2),
                envelope: Self.envelope(from: "anna@example.org", to: ["bob@example.org"], direction: .internal,
                                        source: MessageSource("submission")))
            let record = try store.archive.readRecord(at: outcome.receipt.envelope)
            #expect(record.envelope?.direction == .internal)
            #expect(record.envelope?.source == .submission)
            #expect(record.envelope?.recipients == ["bob@example.org"])
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "direction:internal")) == 1)
        }
    }

    /// Concurrent deliveries share group commits and still get distinct, gap-free UIDs.
    @Test func concurrentDeliveriesGetDistinctUIDs() async throws {
        try await ResolutionTests.withAccounts { store in
            let outcomes = try await withThrowingTaskGroup(of: DeliveryOutcome.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        try await store.delivery.deliver(message: ImportSessionTests.message(n),
                                                envelope: Self.envelope(to: ["team@example.org"]))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.count == 40)
            for user in ["anna@example.org", "bob@example.org"] {
                let uids = outcomes.flatMap(\.placements).filter { $0.user == user }.map(\.uid).sorted()
                #expect(uids == Array(1...40))
                #expect(try await store.mailboxes.messages(in: "INBOX", of: user).count == 40)
            }
        }
    }

    /// A crash after the archive's fsync but before the catalog commit: the journaled delivery is
    /// indexed, placed and queued by `recover()`, exactly once however often it runs.
    @Test func recoveryCompletesADeliveryJournaledOnlyInTheArchive() async throws {
        try await withTemporaryDirectory { dir in
            var journaled: AppendReceipt?
            do {
                let store = try ImportSessionTests.makeStore(dir)
                try await store.accounts.addDomain("example.org", by: .system("test"))
                try await store.accounts.addUser("anna@example.org", password: "pw", by: .system("test"))
                try await store.accounts.addAlias("out@example.org", targets: ["far@remote.test"], by: .system("test"))
                // Only the archive: as if the process died right after the fsync.
                journaled = try await store.archive.append(message: ImportSessionTests.message(1),
                                                   envelope: Self.envelope(to: ["anna@example.org", "out@example.org"]))
                _ = try await store.archive.append(message: ImportSessionTests.message(2),
                                                   envelope: Self.envelope(to: ["anna@example.org"], direction: .imported,
                                                                           source: MessageSource("import")))
                store.close()
            }
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org").isEmpty)
            let report = try await store.delivery.recover()
            #expect(report == RecoveryReport(examined: 2, indexed: 2, routed: 1))
            let inbox = try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org")
            #expect(inbox.map(\.sha256) == [journaled?.sha256])
            #expect(inbox.map(\.envelopeLocation) == [journaled?.envelope.description])
            #expect(inbox.map(\.uid) == [1])
            #expect(try await store.queue.list().map(\.recipient) == ["far@remote.test"])
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "body:number")) == 2)

            // Again, and again from scratch (checkpoint lost): nothing is placed twice.
            #expect(try await store.delivery.recover() == RecoveryReport())
            try await store.catalog.messages.setRecoveryCheckpoint(RecordLocation(segment: 0, offset: 0))
            #expect(try await store.delivery.recover() == RecoveryReport(examined: 2, indexed: 0, routed: 0))
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org").count == 1)
            #expect(try await store.queue.list().count == 1)

            // A later delivery continues the UIDs.
            let outcome = try await store.delivery.deliver(message: ImportSessionTests.message(3),
                                                  envelope: Self.envelope(to: ["anna@example.org"]))
            #expect(outcome.placements.map(\.uid) == [2])
        }
    }

    /// Reindex rebuilds the search index from the archive and leaves accounts, mailboxes,
    /// placements and the queue as they were; recovery afterwards places nothing again.
    @Test func reindexKeepsMailboxesAndQueue() async throws {
        try await ResolutionTests.withAccounts { store in
            for n in 0..<5 {
                _ = try await store.delivery.deliver(message: ImportSessionTests.message(n),
                                            envelope: Self.envelope(to: ["team@example.org", "forward@example.org"]))
            }
            let before = try await store.mailboxes.messages(in: "INBOX", of: "bob@example.org")
            let queueBefore = try await store.queue.list()
            #expect(try await store.delivery.reindex() == 5)
            #expect(try await store.accounts.users() == ["anna@example.org", "bob@example.org"])
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "bob@example.org") == before)
            #expect(try await store.queue.list() == queueBefore)
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "source:smtp")) == 5)
            #expect(try await store.delivery.recover().routed == 0)
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org").count == 5)
        }
    }
}

