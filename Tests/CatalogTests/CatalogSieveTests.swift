import ArchiveStore
import Foundation
import Testing
import TestSupport

@testable import Catalog
import StoreModel

/// Schema v3 at the SQL level: Sieve scripts (one active per user), the generation counter the
/// triggers keep, and routing with per-user filings (flags, `:create`, the INBOX fallback,
/// discard), redirects and audit rows in the routing transaction.
@Suite struct CatalogSieveTests {
    static let anna = "anna@example.org", bob = "bob@example.org"

    @Test func everyScriptChangeBumpsTheGenerationAlsoARemovedUsersCascade() async throws {
        try await CatalogRoutingTests.withCatalog { catalog in
            var last = try await catalog.accounts.sieveGeneration()
            func bumped(_ sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let now = try await catalog.accounts.sieveGeneration()
                #expect(now > last, sourceLocation: sourceLocation)
                last = now
            }
            #expect(try await catalog.accounts.putSieveScript("a", source: "keep;", of: Self.anna, activate: true, at: Date()) == .done)
            try await bumped()
            #expect(try await catalog.accounts.putSieveScript("a", source: "discard;", of: Self.anna, activate: false, at: Date()) == .done)
            try await bumped()
            #expect(try await catalog.accounts.renameSieveScript("a", to: "b", of: Self.anna, at: Date()) == .done)
            try await bumped()
            #expect(try await catalog.accounts.setActiveSieveScript(nil, of: Self.anna) == .done)
            try await bumped()
            try await catalog.accounts.setGlobalSieveScript(source: "keep;", at: Date())
            try await bumped()
            try await catalog.accounts.setGlobalSieveScript(source: nil, at: Date())
            try await bumped()
            try await catalog.accounts.removeUser(Self.anna)
            try await bumped()
            #expect(try await catalog.accounts.sieveScripts(of: Self.anna) == nil)
            // A refused change changes nothing.
            #expect(try await catalog.accounts.deleteSieveScript("b", of: Self.bob) == .nonexistent)
            #expect(try await catalog.accounts.sieveGeneration() == last)
        }
    }

    @Test func atMostOneScriptIsActiveAndTheActiveOneCannotBeDeleted() async throws {
        try await CatalogRoutingTests.withCatalog { catalog in
            _ = try await catalog.accounts.putSieveScript("one", source: "keep;", of: Self.anna, activate: true, at: Date())
            _ = try await catalog.accounts.putSieveScript("two", source: "keep;", of: Self.anna, activate: true, at: Date())
            #expect(try await catalog.accounts.sieveScripts(of: Self.anna)?.map(\.active) == [false, true])
            #expect(try await catalog.accounts.deleteSieveScript("two", of: Self.anna) == .active)
            #expect(try await catalog.accounts.setActiveSieveScript("one", of: Self.anna) == .done)
            #expect(try await catalog.accounts.sieveScripts(of: Self.anna)?.map(\.active) == [true, false])
            #expect(try await catalog.accounts.deleteSieveScript("two", of: Self.anna) == .done)
            #expect(try await catalog.accounts.renameSieveScript("zz", to: "x", of: Self.anna, at: Date()) == .nonexistent)
            #expect(try await catalog.accounts.putSieveScript("x", source: "", of: "nobody@example.org", activate: true, at: Date())
                    == .unknownUser)
            // The partial unique index itself refuses a second active script.
            await #expect(throws: (any Error).self) {
                try await catalog.pool.write { db in
                    try db.execute(sql: """
                        INSERT INTO sieve_script (user, name, source, active, updated)
                        SELECT id, 'sneaky', 'keep;', 1, 0 FROM user WHERE email = ?
                        """, arguments: [Self.anna])
                }
            }
            let loaded = try await catalog.accounts.sieveDeliveryScripts(for: [Self.anna, Self.bob])
            #expect(loaded.active.keys.sorted() == [Self.anna])
            #expect(loaded.usersWithActiveScript == [Self.anna])
            #expect(loaded.global == nil)
        }
    }

    @Test func filingsPlaceWithFlagsCreateMailboxesAndFallBackToINBOX() async throws {
        try await CatalogRoutingTests.withCatalog { catalog in
            var fixtures = CatalogFixtures()
            let item = fixtures.item(CatalogRoutingTests.raw(1), sha256: CatalogFixtures.fakeSHA256(1),
                                     recipients: [Self.anna, Self.bob])
            let route = Route(
                localUsers: [Self.anna, Self.bob], remoteRecipients: ["x@far.test"],
                filings: [
                    Self.anna: [Filing(mailbox: "Sent", flags: ["\\Seen", "$a"]),
                                Filing(mailbox: "New", flags: ["\\Flagged"], create: true),
                                Filing(mailbox: "Gone", flags: ["$b"])],
                    Self.bob: [],
                ],
                redirects: [Redirect(user: Self.anna, address: "y@far.test"), Redirect(user: Self.anna, address: "x@far.test")],
                audit: [AuditEntry(time: Date(timeIntervalSince1970: 5), actor: "sieve:\(Self.anna)",
                                   action: "sieve-redirect", detail: "to y@far.test")])
            let result = try await catalog.messages.deliver([RoutedDelivery(item: item, route: route)], at: Date())[0]
            #expect(result.placements.map(\.mailbox) == ["Sent", "New", "INBOX"])
            #expect(result.placements.allSatisfy { $0.user == Self.anna })
            #expect(result.fallbacks == [UserMailbox(user: Self.anna, mailbox: "Gone")])
            #expect(result.createdMailboxes == [UserMailbox(user: Self.anna, mailbox: "New")])
            #expect(result.queued == ["x@far.test", "y@far.test"])
            #expect(try await catalog.mailboxes.messages(in: "Sent", of: Self.anna).first?.flags == ["\\Seen", "$a"])
            #expect(try await catalog.mailboxes.messages(in: "New", of: Self.anna).first?.flags == ["\\Flagged"])
            #expect(try await catalog.mailboxes.messages(in: "INBOX", of: Self.anna).first?.flags == ["$b"])
            #expect(try await catalog.mailboxes.mailboxes(of: Self.bob).allSatisfy { $0.messages == 0 })
            #expect(try await catalog.governance.auditLog().map(\.detail) == ["to y@far.test"])
            let boxes = try await catalog.mailboxes.mailboxes(of: Self.anna)
            let created = try #require(boxes.first { $0.name == "New" })
            #expect(boxes.filter { $0.name != "New" }.allSatisfy { $0.uidValidity < created.uidValidity })
            // Replayed: nothing placed, queued or audited twice.
            let again = try await catalog.messages.deliver([RoutedDelivery(item: item, route: route)], at: Date())[0]
            #expect(again.alreadyRouted && again.placements.isEmpty)
            #expect(try await catalog.governance.auditLog().count == 1)
            #expect(try await catalog.queue.outboundQueue().count == 2)
        }
    }
}
