import ArchiveStore
import Foundation
import Testing
import TestSupport

@testable import Catalog
import StoreModel

/// Schema v2 at the SQL level: the routing transaction, its idempotence, UIDs and UIDVALIDITY,
/// and what `reset()` (reindex) must keep.
@Suite struct CatalogRoutingTests {
    static let folders = [MailboxTemplate(name: "INBOX"), MailboxTemplate(name: "Sent", specialUse: "\\Sent")]

    static func withCatalog(_ body: (Catalog) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let catalog = try Catalog(path: dir.appendingPathComponent("catalog.sqlite"))
            try await catalog.accounts.addDomain("example.org", at: Date())
            try await catalog.accounts.addUser("anna@example.org", domain: "example.org", passwordHash: "$x", mailboxes: folders, at: Date())
            try await catalog.accounts.addUser("bob@example.org", domain: "example.org", passwordHash: "$y", mailboxes: folders, at: Date())
            try await body(catalog)
        }
    }

    static func raw(_ n: Int) -> String {
        "From: a@remote.test\nTo: anna@example.org\nSubject: note \(n)\nDate: Mon, 2 Jun 2025 10:00:00 +0000\n\nhello \(n)\n"
    }

    @Test func aReplayedDeliveryIsNeitherPlacedNorQueuedTwice() async throws {
        try await Self.withCatalog { catalog in
            var fixtures = CatalogFixtures()
            let item = fixtures.item(Self.raw(1), sha256: CatalogFixtures.fakeSHA256(1), recipients: ["anna@example.org"])
            let route = Route(localUsers: ["anna@example.org", "bob@example.org", "anna@example.org"],
                              remoteRecipients: ["x@far.test", "x@far.test"])
            let first = try await catalog.messages.deliver([RoutedDelivery(item: item, route: route)], at: Date())
            #expect(first[0].placements.map(\.user) == ["anna@example.org", "bob@example.org"])
            #expect(first[0].placements.map(\.uid) == [1, 1])
            #expect(first[0].queued == ["x@far.test"])
            #expect(!first[0].alreadyRouted)

            let again = try await catalog.messages.deliver([RoutedDelivery(item: item, route: route)], at: Date())
            #expect(again[0].alreadyRouted && again[0].placements.isEmpty && again[0].queued.isEmpty)
            #expect(try await catalog.mailboxes.messages(in: "INBOX", of: "anna@example.org").count == 1)
            #expect(try await catalog.queue.outboundQueue().count == 1)
            #expect(try await catalog.messages.deliveryState(at: item.receipt.envelope) == (indexed: true, routed: true))
        }
    }

    @Test func oneTransactionPlacesABatchWithConsecutiveUIDs() async throws {
        try await Self.withCatalog { catalog in
            var fixtures = CatalogFixtures()
            let batch = (0..<5).map { n in
                RoutedDelivery(
                    item: fixtures.item(Self.raw(n), sha256: CatalogFixtures.fakeSHA256(n), recipients: ["anna@example.org"]),
                    route: Route(localUsers: ["anna@example.org"], remoteRecipients: []))
            }
            let results = try await catalog.messages.deliver(batch, at: Date())
            #expect(results.flatMap(\.placements).map(\.uid) == [1, 2, 3, 4, 5])
            let inbox = try await catalog.mailboxes.mailboxes(of: "anna@example.org").first { $0.name == "INBOX" }
            #expect(inbox?.uidNext == 6 && inbox?.messages == 5)
            // A user removed meanwhile is reported, not an error for the others.
            let late = fixtures.item(Self.raw(9), sha256: CatalogFixtures.fakeSHA256(9))
            let result = try await catalog.messages.deliver([RoutedDelivery(
                item: late, route: Route(localUsers: ["gone@example.org", "bob@example.org"], remoteRecipients: []))], at: Date())
            #expect(result[0].missingUsers == ["gone@example.org"])
            #expect(result[0].placements.map(\.user) == ["bob@example.org"])
        }
    }

    /// `reset()` drops only what the archive can rebuild; placements name the body by SHA-256 and
    /// the delivery by envelope location, so they stay valid when `message` rows are renumbered.
    @Test func resetKeepsAccountsMailboxesPlacementsAndQueue() async throws {
        try await Self.withCatalog { catalog in
            var fixtures = CatalogFixtures()
            let item = fixtures.item(Self.raw(1), sha256: CatalogFixtures.fakeSHA256(1), recipients: ["anna@example.org"])
            _ = try await catalog.messages.deliver([RoutedDelivery(
                item: item, route: Route(localUsers: ["anna@example.org"], remoteRecipients: ["x@far.test"]))], at: Date())
            try await catalog.accounts.addAlias("team@example.org", domain: "example.org", targets: ["anna@example.org"], at: Date())
            let inbox = try await catalog.mailboxes.messages(in: "INBOX", of: "anna@example.org")
            try await catalog.reset()
            #expect(try await catalog.messages.deliveryState(at: item.receipt.envelope) == (indexed: false, routed: true))
            #expect(try await catalog.accounts.domains() == ["example.org"])
            #expect(try await catalog.accounts.users() == ["anna@example.org", "bob@example.org"])
            #expect(try await catalog.accounts.aliases().map(\.address) == ["team@example.org"])
            #expect(try await catalog.mailboxes.messages(in: "INBOX", of: "anna@example.org") == inbox)
            #expect(try await catalog.queue.outboundQueue().count == 1)
            // Re-indexing the same delivery (as reindex does) does not route it again.
            let results = try await catalog.messages.deliver([RoutedDelivery(
                item: item, route: Route(localUsers: ["anna@example.org"], remoteRecipients: []))], at: Date())
            #expect(results[0].alreadyRouted)
            #expect(try await catalog.mailboxes.messages(in: "INBOX", of: "anna@example.org") == inbox)
        }
    }

    @Test func uidValidityNeverRepeatsEvenWithinOneSecond() async throws {
        try await Self.withCatalog { catalog in
            let moment = Date(timeIntervalSince1970: 1_800_000_000)
            try await catalog.accounts.addUser("carl@example.org", domain: "example.org", passwordHash: "$z",
                                      mailboxes: Self.folders, at: moment)
            try await catalog.accounts.removeUser("carl@example.org")
            try await catalog.accounts.addUser("carl@example.org", domain: "example.org", passwordHash: "$z",
                                      mailboxes: Self.folders, at: moment)
            let values = try await catalog.mailboxes.mailboxes(of: "carl@example.org").map(\.uidValidity)
            #expect(values.allSatisfy { $0 >= 1_800_000_002 })
            #expect(Set(values).count == 2)
        }
    }

    @Test func recoveryCheckpointRoundTrips() async throws {
        try await Self.withCatalog { catalog in
            #expect(try await catalog.messages.recoveryCheckpoint() == nil)
            try await catalog.messages.setRecoveryCheckpoint(RecordLocation(segment: 3, offset: 1_048_576))
            #expect(try await catalog.messages.recoveryCheckpoint() == RecordLocation(segment: 3, offset: 1_048_576))
        }
    }
}
