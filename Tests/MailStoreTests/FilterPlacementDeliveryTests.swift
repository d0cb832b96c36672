import ArchiveStore
import Catalog
import Foundation
import Testing
import TestSupport
@testable import MailStore

/// A content filter's placement in the envelope (`FilterPlacement`): junk goes to Junk where it
/// would have gone to INBOX, quarantine places and sends nothing — live, and again in recovery.
@Suite struct FilterPlacementDeliveryTests {
    static let anna = "anna@example.org", bob = "bob@example.org"

    static func envelope(to recipients: [String], _ placement: FilterPlacement?) -> Envelope {
        var envelope = DeliveryTests.envelope(to: recipients)
        envelope.filterPlacement = placement
        return envelope
    }

    @Test func junkReplacesINBOXButNotAScriptsOtherFolder() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.put("main", source: """
                require ["fileinto"];
                if header :contains "subject" "report" { fileinto "Archive"; }
                """, of: Self.bob, activate: true, by: .system("test"))
            // anna has no script (INBOX becomes Junk); forward@ goes to a remote address (still queued).
            let outcome = try await store.delivery.deliver(
                message: ImportSessionTests.message(1, subject: "Lunch"),
                envelope: Self.envelope(to: [Self.anna, Self.bob, "forward@example.org"], .junk))
            #expect(Set(outcome.placements.map { "\($0.user)/\($0.mailbox)" }) == [
                "\(Self.anna)/Junk", "\(Self.bob)/Junk",
            ])
            #expect(outcome.queued.map { $0.lowercased() } == ["carl@remote.test"], "\(outcome.queued)")
            let report = try await store.delivery.deliver(
                message: ImportSessionTests.message(2, subject: "Quarterly report"),
                envelope: Self.envelope(to: [Self.bob], .junk))
            #expect(report.placements.map(\.mailbox) == ["Archive"])
        }
    }

    @Test func junkMakesTheJunkFolderWhenTheUserRemovedIt() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.mailboxes.deleteMailbox("Junk", of: Self.anna, by: .system("test"))
            let outcome = try await store.delivery.deliver(message: ImportSessionTests.message(1),
                                                           envelope: Self.envelope(to: [Self.anna], .junk))
            #expect(outcome.placements.map(\.mailbox) == ["Junk"])
            #expect(try await store.mailboxes.messages(in: "Junk", of: Self.anna).count == 1)
        }
    }

    @Test func quarantinePlacesAndSendsNothingButArchives() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.put("main", source: """
                redirect "copy@remote.test";
                keep;
                """, of: Self.anna, activate: true, by: .system("test"))
            let outcome = try await store.delivery.deliver(
                message: ImportSessionTests.message(1),
                envelope: Self.envelope(to: [Self.anna, Self.bob, "forward@example.org"], .quarantine))
            #expect(outcome.placements.isEmpty)
            #expect(outcome.queued.isEmpty)
            #expect(try await store.queue.list().isEmpty)
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "body:number")) == 1)
        }
    }

    /// A crash between the journal and the catalog: recovery reads the placement from the
    /// journaled envelope and places as the live delivery would have.
    @Test func recoveryKeepsTheFiltersPlacement() async throws {
        try await withTemporaryDirectory { dir in
            do {
                let store = try ImportSessionTests.makeStore(dir)
                try await store.accounts.addDomain("example.org", by: .system("test"))
                try await store.accounts.addUser(Self.anna, password: "pw", by: .system("test"))
                _ = try await store.archive.append(message: ImportSessionTests.message(1),
                                                   envelope: Self.envelope(to: [Self.anna], .quarantine))
                _ = try await store.archive.append(message: ImportSessionTests.message(2),
                                                   envelope: Self.envelope(to: [Self.anna], .junk))
                store.close()
            }
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            let report = try await store.delivery.recover()
            #expect(report.indexed == 2)
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).isEmpty)
            #expect(try await store.mailboxes.messages(in: "Junk", of: Self.anna).count == 1)
        }
    }
}
