import ArchiveStore
import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// What POP3 needs from the store: UPDATE removes INBOX placements (and only them), the archive
/// and search keep the messages, recovery does not put them back, and the per-user lock.
@Suite struct MaildropTests {
    @Test func removingPlacementsKeepsArchiveAndSearchAndSurvivesRecovery() async throws {
        try await ResolutionTests.withAccounts { store in
            var hashes: [String] = []
            for n in 0..<3 {
                let outcome = try await store.delivery.deliver(message: ImportSessionTests.message(n),
                                                      envelope: DeliveryTests.envelope(to: ["anna@example.org"]))
                hashes.append(outcome.receipt.sha256)
            }
            #expect(try await store.mailboxes.removeMessages(uids: [1, 3, 99], from: "INBOX", of: "Anna@Example.org", by: .system("test")) == 2)
            let inbox = try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org")
            #expect(inbox.map(\.uid) == [2])
            // Nothing else changed: other users, and the UIDs that remain.
            #expect(try await store.mailboxes.removeMessages(uids: [2], from: "INBOX", of: "bob@example.org", by: .system("test")) == 0)
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org").count == 1)
            for hash in hashes {
                #expect(try await store.reader.content(sha256: hash) != nil, "archive keeps \(hash)")
            }
            for n in 0..<3 {
                let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:m\(n)@example.com"))
                #expect(hits.map(\.id) == [hashes[n]], "search still finds message \(n)")
            }
            // Recovery routes only unrouted deliveries: the removed placements stay removed.
            _ = try await store.delivery.recover()
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "anna@example.org").map(\.uid) == [2])
        }
    }

    @Test func maildropLockIsPerUserAndCaseInsensitive() {
        let locks = MaildropLocks()
        #expect(locks.acquire("anna@example.org"))
        #expect(!locks.acquire("Anna@Example.org"))
        #expect(locks.acquire("bob@example.org"))
        locks.release("ANNA@example.org")
        #expect(!locks.isHeld("anna@example.org"))
        #expect(locks.acquire("anna@example.org"))
    }
}
