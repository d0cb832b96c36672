import ArchiveStore
import Foundation
import GRDB
import Testing
import TestSupport

@testable import Catalog
import StoreModel

/// Schema v4 at the catalog level: UIDs, UIDVALIDITY, MODSEQ and tombstones, STORE with
/// UNCHANGEDSINCE, COPY/MOVE, EXPUNGE, mailbox management, isolation, search candidates.
@Suite struct CatalogIMAPTests {
    static let anna = "anna@example.org", bob = "bob@example.org"
    static let folders = [MailboxTemplate(name: "INBOX"), MailboxTemplate(name: "Drafts", specialUse: "\\Drafts"),
                          MailboxTemplate(name: "Work")]

    static func withCatalog(_ body: (Catalog, URL) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("catalog.sqlite")
            let catalog = try Catalog(path: path)
            try await catalog.accounts.addDomain("example.org", at: Date())
            try await catalog.accounts.addUser(anna, domain: "example.org", passwordHash: "$x", mailboxes: folders, at: Date())
            try await catalog.accounts.addUser(bob, domain: "example.org", passwordHash: "$y", mailboxes: folders, at: Date())
            try await body(catalog, path)
        }
    }

    /// Delivers `count` messages to anna's INBOX (fixtures numbered from `first`); returns their UIDs.
    @discardableResult
    static func deliver(_ count: Int, from first: Int = 0, to users: [String] = [anna], catalog: Catalog,
                        fixtures: inout CatalogFixtures) async throws -> [UInt32] {
        var items: [RoutedDelivery] = []
        for n in first..<(first + count) {
            let item = fixtures.item(
                "From: Zoë <zoe@remote.test>\nTo: anna@example.org\nSubject: invoice \(n) quarterly\n"
                    + "Date: Mon, 2 Jun 2025 10:00:00 +0000\n\nplease pay number \(n)\n",
                sha256: CatalogFixtures.fakeSHA256(n + 1), recipients: users)
            items.append(RoutedDelivery(item: item, route: Route(localUsers: users, remoteRecipients: [])))
        }
        let results = try await catalog.messages.deliver(items, at: Date())
        return results.flatMap { $0.placements.filter { $0.user == users[0] }.map(\.uid) }
    }

    @Test func uidsStayAscendingAcrossExpungeAndRestart() async throws {
        try await Self.withCatalog { catalog, path in
            var fixtures = CatalogFixtures()
            #expect(try await Self.deliver(3, catalog: catalog, fixtures: &fixtures) == [1, 2, 3])
            _ = try await catalog.mailboxes.storeFlags(MessageFlags(system: .deleted), mode: .add, uids: [3...3],
                                             in: "INBOX", of: Self.anna)
            #expect(try await catalog.mailboxes.expunge(in: "INBOX", of: Self.anna).expunged == [3])
            #expect(try await Self.deliver(1, from: 3, catalog: catalog, fixtures: &fixtures) == [4])
            let reopened = try Catalog(path: path)
            #expect(try await Self.deliver(1, from: 4, catalog: reopened, fixtures: &fixtures) == [5])
            let snapshot = try await reopened.mailboxes.snapshot(of: "INBOX", of: Self.anna)
            #expect(snapshot.messages.map(\.uid) == [1, 2, 4, 5])
            #expect(snapshot.uidNext == 6)
        }
    }

    @Test func everyChangeTakesANewModSeqAndChangesSinceReportsIt() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            let start = try await catalog.mailboxes.status(of: "INBOX", of: Self.anna).highestModSeq
            try await Self.deliver(3, catalog: catalog, fixtures: &fixtures)
            let afterDelivery = try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.anna)
            #expect(afterDelivery.highestModSeq == start + 3)
            #expect(afterDelivery.messages.map(\.modSeq) == [start + 1, start + 2, start + 3])

            let stored = try await catalog.mailboxes.storeFlags(MessageFlags(system: .seen), mode: .add, uids: [1...2],
                                                      in: "INBOX", of: Self.anna)
            #expect(stored.highestModSeq == start + 4)
            #expect(stored.messages.map(\.modSeq) == [start + 4, start + 4])
            // Storing what is already there changes nothing and takes no MODSEQ.
            let again = try await catalog.mailboxes.storeFlags(MessageFlags(system: .seen), mode: .add, uids: [1...2],
                                                     in: "INBOX", of: Self.anna)
            #expect(again.highestModSeq == start + 4 && again.messages.allSatisfy { !$0.changed })

            _ = try await catalog.mailboxes.storeFlags(MessageFlags(system: .deleted), mode: .add, uids: [2...2],
                                             in: "INBOX", of: Self.anna)
            let expunged = try await catalog.mailboxes.expunge(in: "INBOX", of: Self.anna)
            #expect(expunged.expunged == [2] && expunged.highestModSeq == start + 6)
            // POP3 UPDATE is an expunge too.
            #expect(try await catalog.mailboxes.removeMessages(uids: [3], from: "INBOX", of: Self.anna) == 1)

            let changes = try await catalog.mailboxes.changes(in: "INBOX", of: Self.anna, since: start + 3)
            #expect(changes.changed.map(\.uid) == [1])
            #expect(changes.changed.first?.flags.system == .seen)
            #expect(changes.expunged == [2, 3])
            #expect(changes.highestModSeq == start + 7)
            let later = try await catalog.mailboxes.changes(in: "INBOX", of: Self.anna, since: start + 6)
            #expect(later.changed.isEmpty && later.expunged == [3])
            #expect(try await catalog.mailboxes.status(of: "INBOX", of: Self.anna).unseen == 0)
        }
    }

    @Test func unchangedSinceLeavesNewerMessagesAloneAndListsThem() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            try await Self.deliver(3, catalog: catalog, fixtures: &fixtures)
            let base = try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.anna)
            // Another session flags message 2.
            _ = try await catalog.mailboxes.storeFlags(MessageFlags(keywords: ["$Work"]), mode: .add, uids: [2...2],
                                             in: "INBOX", of: Self.anna)
            let result = try await catalog.mailboxes.storeFlags(
                MessageFlags(system: .flagged), mode: .replace, uids: [1...3], unchangedSince: base.highestModSeq,
                in: "INBOX", of: Self.anna)
            #expect(result.failed == [2])
            #expect(result.messages.map(\.uid) == [1, 3])
            let after = try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.anna).messages
            #expect(after.map(\.flags.names) == [["\\Flagged"], ["$Work"], ["\\Flagged"]])
            // UNCHANGEDSINCE 0 fails for every message (RFC 7162 §3.1.3).
            let zero = try await catalog.mailboxes.storeFlags(MessageFlags(system: .seen), mode: .add, uids: [1...UInt32.max],
                                                    unchangedSince: 0, in: "INBOX", of: Self.anna)
            #expect(zero.failed == [1, 2, 3] && zero.messages.isEmpty)
            // -FLAGS removes keywords without regard to case.
            let removed = try await catalog.mailboxes.storeFlags(MessageFlags(keywords: ["$WORK"]), mode: .remove, uids: [2...2],
                                                       in: "INBOX", of: Self.anna)
            #expect(removed.messages.first?.flags == MessageFlags())
        }
    }

    @Test func copyAndMoveReturnUIDPlusDataAndMoveIsAtomic() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            try await Self.deliver(4, catalog: catalog, fixtures: &fixtures)
            _ = try await catalog.mailboxes.storeFlags(MessageFlags(system: .answered, keywords: ["$Label1"]), mode: .add,
                                             uids: [3...3], in: "INBOX", of: Self.anna)
            let work = try await catalog.mailboxes.status(of: "Work", of: Self.anna)
            let copied = try await catalog.mailboxes.copyMessages(uids: [3...4, 1...1, 9...20], from: "INBOX", to: "Work",
                                                        of: Self.anna)
            #expect(copied == CopyResult(uidValidity: work.uidValidity, sourceUIDs: [1, 3, 4], destinationUIDs: [1, 2, 3]))
            let inWork = try await catalog.mailboxes.snapshot(of: "Work", of: Self.anna).messages
            #expect(inWork[1].flags.names == ["\\Answered", "$Label1"])
            // The same message may be copied twice: a copy is a new message.
            let twice = try await catalog.mailboxes.copyMessages(uids: [1...1], from: "INBOX", to: "Work", of: Self.anna)
            #expect(twice.destinationUIDs == [4])

            let moved = try await catalog.mailboxes.copyMessages(uids: [2...3], from: "INBOX", to: "Work", of: Self.anna,
                                                       move: true)
            #expect(moved.sourceUIDs == [2, 3] && moved.destinationUIDs == [5, 6])
            #expect(try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.anna).messages.map(\.uid) == [1, 4])
            let inbox = try await catalog.mailboxes.changes(in: "INBOX", of: Self.anna, since: 0)
            #expect(inbox.expunged == [2, 3])
            await #expect(throws: MailboxError.nonexistent("Nowhere")) {
                try await catalog.mailboxes.copyMessages(uids: [1...1], from: "INBOX", to: "Nowhere", of: Self.anna)
            }
            // Nothing matched: COPY succeeds with no COPYUID data and takes no MODSEQ.
            let before = try await catalog.mailboxes.status(of: "Work", of: Self.anna)
            #expect(try await catalog.mailboxes.copyMessages(uids: [50...60], from: "INBOX", to: "Work", of: Self.anna)
                .sourceUIDs.isEmpty)
            #expect(try await catalog.mailboxes.status(of: "Work", of: Self.anna) == before)
        }
    }

    @Test func uidExpungeRemovesOnlyDeletedMessagesOfTheSet() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            try await Self.deliver(4, catalog: catalog, fixtures: &fixtures)
            _ = try await catalog.mailboxes.storeFlags(MessageFlags(system: .deleted), mode: .add, uids: [1...3],
                                             in: "INBOX", of: Self.anna)
            #expect(try await catalog.mailboxes.expunge(uids: [2...4], in: "INBOX", of: Self.anna).expunged == [2, 3])
            #expect(try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.anna).messages.map(\.uid) == [1, 4])
            let status = try await catalog.mailboxes.status(of: "INBOX", of: Self.anna)
            #expect(try await catalog.mailboxes.expunge(uids: [], in: "INBOX", of: Self.anna).expunged.isEmpty)
            #expect(try await catalog.mailboxes.status(of: "INBOX", of: Self.anna) == status)
        }
    }

    @Test func renameKeepsUIDValidityAndRecreateGetsANewOne() async throws {
        try await Self.withCatalog { catalog, _ in
            try await catalog.mailboxes.createMailbox("Projects/2025/Q1", of: Self.anna, at: Date())
            try await catalog.mailboxes.subscribe("Projects/2025", of: Self.anna)
            let names = try await catalog.mailboxes.listMailboxes(of: Self.anna).map(\.name)
            #expect(names == ["INBOX", "Drafts", "Projects", "Projects/2025", "Projects/2025/Q1", "Work"])
            let validity = try await catalog.mailboxes.status(of: "Projects/2025", of: Self.anna).uidValidity

            let renamed = try await catalog.mailboxes.renameMailbox("Projects", to: "Old/Projects", of: Self.anna, at: Date())
            #expect(renamed.map(\.to) == ["Old/Projects", "Old/Projects/2025", "Old/Projects/2025/Q1"])
            #expect(try await catalog.mailboxes.status(of: "Old/Projects/2025", of: Self.anna).uidValidity == validity)
            #expect(try await catalog.mailboxes.subscriptions(of: Self.anna).contains("Old/Projects/2025"))
            let listing = try await catalog.mailboxes.listMailboxes(of: Self.anna)
            #expect(listing.first { $0.name == "Old" }?.hasChildren == true)
            #expect(listing.first { $0.name == "Old/Projects/2025/Q1" }?.hasChildren == false)

            try await catalog.mailboxes.createMailbox("Projects/2025", of: Self.anna, at: Date())
            #expect(try await catalog.mailboxes.status(of: "Projects/2025", of: Self.anna).uidValidity != validity)
            await #expect(throws: MailboxError.renameIntoItself("Work")) {
                try await catalog.mailboxes.renameMailbox("Work", to: "Work/Inner", of: Self.anna, at: Date())
            }
            await #expect(throws: MailboxError.alreadyExists("Work")) {
                try await catalog.mailboxes.renameMailbox("Drafts", to: "Work", of: Self.anna, at: Date())
            }
        }
    }

    @Test func renamingInboxMovesItsMessagesAndLeavesAnEmptyInbox() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            try await Self.deliver(2, catalog: catalog, fixtures: &fixtures)
            try await catalog.mailboxes.createMailbox("INBOX/Later", of: Self.anna, at: Date())
            let old = try await catalog.mailboxes.status(of: "INBOX", of: Self.anna)
            try await catalog.mailboxes.renameMailbox("INBOX", to: "Old Mail", of: Self.anna, at: Date())
            let moved = try await catalog.mailboxes.snapshot(of: "Old Mail", of: Self.anna)
            #expect(moved.messages.map(\.uid) == [1, 2] && moved.uidValidity == old.uidValidity)
            let inbox = try await catalog.mailboxes.status(of: "INBOX", of: Self.anna)
            #expect(inbox.messages == 0 && inbox.uidNext == 1 && inbox.uidValidity != old.uidValidity)
            // INBOX's inferiors stay, and new mail goes to the new INBOX.
            #expect(try await catalog.mailboxes.listMailboxes(of: Self.anna).contains { $0.name == "INBOX/Later" })
            #expect(try await Self.deliver(1, from: 5, catalog: catalog, fixtures: &fixtures) == [1])
        }
    }

    @Test func deleteRefusesInboxAndParentsAndKeepsSubscriptions() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            try await Self.deliver(1, catalog: catalog, fixtures: &fixtures)
            try await catalog.mailboxes.createMailbox("Work/Clients", of: Self.anna, at: Date())
            try await catalog.mailboxes.subscribe("Work/Clients", of: Self.anna)
            await #expect(throws: MailboxError.cannotDeleteInbox) { try await catalog.mailboxes.deleteMailbox("INBOX", of: Self.anna) }
            await #expect(throws: MailboxError.hasChildren("Work")) { try await catalog.mailboxes.deleteMailbox("Work", of: Self.anna) }
            _ = try await catalog.mailboxes.copyMessages(uids: [1...1], from: "INBOX", to: "Work/Clients", of: Self.anna)
            try await catalog.mailboxes.deleteMailbox("Work/Clients", of: Self.anna)
            try await catalog.mailboxes.deleteMailbox("Work", of: Self.anna)
            #expect(try await catalog.mailboxes.listMailboxes(of: Self.anna).map(\.name) == ["INBOX", "Drafts"])
            #expect(try await catalog.mailboxes.subscriptions(of: Self.anna).contains("Work/Clients"))
            #expect(try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.anna).messages.count == 1)
            await #expect(throws: MailboxError.nonexistent("Work")) { try await catalog.mailboxes.deleteMailbox("Work", of: Self.anna) }
        }
    }

    @Test func usersNeverReachEachOthersMailboxes() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            try await Self.deliver(2, catalog: catalog, fixtures: &fixtures)
            try await catalog.mailboxes.createMailbox("Secret", of: Self.anna, at: Date())
            await #expect(throws: MailboxError.nonexistent("Secret")) {
                try await catalog.mailboxes.snapshot(of: "Secret", of: Self.bob)
            }
            // Bob's own INBOX is empty, and his STORE/EXPUNGE/COPY touch nothing of anna's.
            #expect(try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.bob).messages.isEmpty)
            let store = try await catalog.mailboxes.storeFlags(MessageFlags(system: .deleted), mode: .add, uids: [1...2],
                                                     in: "INBOX", of: Self.bob)
            #expect(store.messages.isEmpty)
            #expect(try await catalog.mailboxes.copyMessages(uids: [1...2], from: "INBOX", to: "Work", of: Self.bob)
                .sourceUIDs.isEmpty)
            #expect(try await catalog.mailboxes.snapshot(of: "INBOX", of: Self.anna).messages.allSatisfy { $0.flags == MessageFlags() })
            await #expect(throws: MailboxError.unknownUser("carl@example.org")) {
                try await catalog.mailboxes.listMailboxes(of: "carl@example.org")
            }
            try await catalog.mailboxes.deleteMailbox("Work", of: Self.bob)
            #expect(try await catalog.mailboxes.listMailboxes(of: Self.anna).contains { $0.name == "Work" })
        }
    }

    @Test func searchCandidatesNarrowPerField() async throws {
        try await Self.withCatalog { catalog, _ in
            var fixtures = CatalogFixtures()
            try await Self.deliver(3, catalog: catalog, fixtures: &fixtures)
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.subject, "invoice 1")], in: "INBOX",
                                                       of: Self.anna) == [2])
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.body, "pay")], in: "INBOX", of: Self.anna)
                == [1, 2, 3])
            // Diacritics and case fold; the word "quarterly" is in the subject, not the body.
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.from, "ZOE")], in: "INBOX", of: Self.anna)
                == [1, 2, 3])
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.body, "quarterly")], in: "INBOX",
                                                       of: Self.anna) == [])
            // TEXT does not narrow (the index lacks most header fields); the BODY term beside it does.
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.text, "quart"), SearchTextTerm(.body, "2")],
                                                       in: "INBOX", of: Self.anna) == [3])
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.text, "quart")], in: "INBOX", of: Self.anna)
                == nil)
            // FTS5 syntax in a value is only words.
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.subject, "\"pay\" OR NEAR(*")], in: "INBOX",
                                                       of: Self.anna) == [])
            #expect(try await catalog.mailboxes.searchCandidates([SearchTextTerm(.body, "@@")], in: "INBOX", of: Self.anna)
                == nil)
        }
    }

    @Test func migrationToV4KeepsPlacementsAndSplitsFlags() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("catalog.sqlite")
            do {
                let pool = try DatabasePool(path: path.path)
                try CatalogSchema.migrator.migrate(pool, upTo: "v3")
                try await pool.write { db in
                    try db.execute(sql: """
                        INSERT INTO domain (name, created) VALUES ('example.org', 0);
                        INSERT INTO user (id, email, domain, password_hash, created)
                            VALUES (1, 'anna@example.org', 'example.org', '$x', 0);
                        INSERT INTO mailbox (id, user, name, uid_validity, uid_next, special_use, subscribed)
                            VALUES (7, 1, 'INBOX', 100, 3, NULL, 1), (8, 1, 'Old', 101, 1, NULL, 0);
                        INSERT INTO mailbox_message VALUES (7, 1, 'aa', 10, '\\Seen $Label', 5, 1, 100),
                                                           (7, 2, 'bb', 20, '', 6, 1, 200);
                        """)
                }
            }
            let catalog = try Catalog(path: path)
            let snapshot = try await catalog.mailboxes.snapshot(of: "INBOX", of: "anna@example.org")
            #expect(snapshot.messages.map(\.flags.names) == [["\\Seen", "$Label"], []])
            #expect(snapshot.messages.map(\.modSeq) == [1, 1] && snapshot.highestModSeq == 1)
            #expect(snapshot.uidNext == 3 && snapshot.uidValidity == 100)
            #expect(try await catalog.mailboxes.subscriptions(of: "anna@example.org") == ["INBOX"])
            let status = try await catalog.mailboxes.status(of: "INBOX", of: "anna@example.org")
            #expect(status.unseen == 1 && status.size == 30 && status.messages == 2)
        }
    }

    @Test func flagsParseCanonicallyAndRefuseWhatIsNoFlag() throws {
        let flags = try MessageFlags(parsing: ["\\seen", "$Label", "\\Recent", "$label", "\\DRAFT"])
        #expect(flags.names == ["\\Seen", "\\Draft", "$Label"])
        #expect(throws: MailboxError.invalidFlag("\\Bogus")) { try MessageFlags(parsing: ["\\Bogus"]) }
        #expect(throws: MailboxError.invalidFlag("a b")) { try MessageFlags(parsing: ["a b"]) }
        #expect(throws: MailboxError.invalidFlag("x]")) { try MessageFlags(parsing: ["x]"]) }
    }
}
