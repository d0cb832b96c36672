import ArchiveStore
import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// The IMAP side of the store end to end, in process: names, APPEND (archive vs. draft store),
/// EXPUNGE keeping the archive, MODSEQ from every committing path, isolation, the change feed.
@Suite struct IMAPStoreTests {
    static let anna = "anna@example.org", bob = "bob@example.org"

    static func deliver(_ n: Int, to users: [String] = [anna], store: MailStore) async throws -> DeliveryOutcome {
        try await store.delivery.deliver(message: ImportSessionTests.message(n), envelope: DeliveryTests.envelope(to: users))
    }

    static func raw(_ subject: String) -> [UInt8] {
        Array("From: anna@example.org\r\nTo: x@remote.test\r\nSubject: \(subject)\r\nMessage-ID: <\(subject)@example.org>\r\n\r\nbody of \(subject)\r\n".utf8)
    }

    @Test func namesAreCheckedAndInboxIsCaseInsensitive() async throws {
        for bad in ["", "a//b", "/a", "a/", "a/../b", ".", "..", "x/.", "a\u{0}b", "tab\there", "del\u{7F}", "c1\u{85}",
                    "star*", "per%cent", String(repeating: "x", count: 256)] {
            #expect(throws: MailboxError.invalidName(bad)) { try IMAPMailboxName.validate(bad) }
        }
        #expect(try IMAPMailboxName.validate("inbox") == "INBOX")
        #expect(try IMAPMailboxName.validate("Inbox/Later") == "INBOX/Later")
        #expect(try IMAPMailboxName.validate("Inboxes") == "Inboxes")
        #expect(try IMAPMailboxName.validate("Ärger/2025.v1") == "Ärger/2025.v1")
        try await ResolutionTests.withAccounts { store in
            await #expect(throws: MailboxError.invalidName("a/../INBOX")) {
                try await store.mailboxes.snapshot("a/../INBOX", of: Self.anna)
            }
            await #expect(throws: MailboxError.invalidName("\\Bogus")) {
                try await store.mailboxes.createMailbox("Bills", specialUse: "\\Bogus", of: Self.anna)
            }
            _ = try await Self.deliver(0, store: store)
            #expect(try await store.mailboxes.snapshot("iNbOx", of: "Anna@Example.ORG").messages.count == 1)
            #expect(try await store.mailboxes.createMailbox("Lists/Swift/Forums", of: Self.anna) == ["Lists", "Lists/Swift",
                                                                                           "Lists/Swift/Forums"])
        }
    }

    @Test func appendJournalsIntoTheArchiveButDraftsStayOut() async throws {
        try await ResolutionTests.withAccounts { store in
            let sent = Self.raw("appended-report")
            let date = Date(timeIntervalSince1970: 1_700_000_000)
            let appended = try await store.mailboxes.append(sent, flags: ["\\Seen"], internalDate: date, to: "Sent", of: Self.anna, by: .system("test"))
            #expect(!appended.isDraft && appended.uid == 1)
            #expect(appended.uidValidity == (try await store.mailboxes.status("Sent", of: Self.anna)).uidValidity)
            let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "source:imap"))
            #expect(hits.count == 1 && hits.first?.subject == "appended-report")
            let entry = try #require(try await store.mailboxes.snapshot("Sent", of: Self.anna).messages.first)
            #expect(entry.internalDate == date && entry.flags.names == ["\\Seen"] && entry.size == sent.count)
            #expect(try await store.reader.content(sha256: entry.sha256) == sent)
            #expect(try await store.reader.bytes(uid: 1, in: "Sent", of: Self.anna) == sent)

            let draft = Self.raw("half-written")
            let saved = try await store.mailboxes.append(draft, flags: ["\\Draft"], to: "Drafts", of: Self.anna, by: .system("test"))
            #expect(saved.isDraft && saved.uid == 1)
            let draftEntry = try #require(try await store.mailboxes.snapshot("Drafts", of: Self.anna).messages.first)
            #expect(try await store.reader.content(sha256: draftEntry.sha256) == nil, "no draft in the archive")
            #expect(try await store.catalog.messages.search(try SearchQuery(parsing: "half")).isEmpty)
            #expect(try await store.reader.bytes(uid: 1, in: "Drafts", of: Self.anna) == draft)
            // Even with anna's draft in the byte cache, bob cannot read it through her entry.
            #expect(try await store.reader.bytes(of: draftEntry, user: Self.bob) == nil)
            #expect(try await store.catalog.mailboxes.draftBytes(id: Self.draftID(draftEntry), of: Self.bob) == nil)
            #expect(try await store.mailboxes.searchCandidates([SearchTextTerm(.body, "nothing-like-it")], in: "Drafts",
                                                     of: Self.anna) == [1])

            // A copy out of Drafts is a message someone kept: it is journaled, and the draft row
            // goes once Drafts no longer names it.
            _ = try await store.mailboxes.copyMessages(uids: [1...1], from: "Drafts", to: "Archive", of: Self.anna, by: .system("test"))
            #expect(try await store.reader.content(sha256: MailboxService.sha256Hex(draft)) == draft, "journaled on copy")
            #expect(try await store.catalog.messages.search(try SearchQuery(parsing: "half")).count == 1)
            _ = try await store.mailboxes.storeFlags(["\\Deleted"], mode: .add, uids: [1...1], in: "Drafts", of: Self.anna)
            _ = try await store.mailboxes.expunge(in: "Drafts", of: Self.anna, by: .system("test"))
            #expect(try await store.catalog.mailboxes.draftCount(of: Self.anna) == 0)
            #expect(try await store.reader.bytes(uid: 1, in: "Archive", of: Self.anna) == draft)
            try await store.mailboxes.deleteMailbox("Archive", of: Self.anna, by: .system("test"))
            #expect(try await store.reader.content(sha256: MailboxService.sha256Hex(draft)) == draft, "the record outlives the folder")

            await #expect(throws: MailboxError.nonexistent("Nowhere")) {
                try await store.mailboxes.append(sent, to: "Nowhere", of: Self.anna, by: .system("test"))
            }
            await #expect(throws: MailboxError.invalidFlag("\\Bogus")) {
                try await store.mailboxes.append(sent, flags: ["\\Bogus"], to: "Sent", of: Self.anna, by: .system("test"))
            }
        }
    }

    static func draftID(_ entry: MailboxEntry) -> Int64 {
        if case .draft(let id) = entry.body { return id }
        return -1
    }

    /// An APPEND answered OK is durable like a delivery: when its catalog transaction is lost
    /// after the archive's fsync (here: journaled by hand, as `append` does), the next start places
    /// it — once, however often recovery runs; a completed APPEND is never placed again.
    @Test func recoveryPlacesAJournaledAppendOnce() async throws {
        try await ResolutionTests.withAccounts { store in
            _ = try await Self.deliver(0, store: store)
            _ = try await store.delivery.recover()
            let start = try #require(try await store.catalog.messages.recoveryCheckpoint())
            let completed = try await store.mailboxes.append(Self.raw("completed"), flags: ["\\Seen"], to: "Sent", of: Self.anna, by: .system("test"))
            let raw = Self.raw("lost-transaction")
            let envelope = Envelope(recipients: [Self.anna], receivedAt: Date(timeIntervalSince1970: 1_700_000_000),
                                    authenticatedUser: Self.anna, direction: .imported, source: .imap,
                                    imapMailbox: "Sent")
            _ = try await store.archive.append(message: raw, envelope: envelope)
            #expect(try await store.mailboxes.snapshot("Sent", of: Self.anna).messages.count == 1)

            let report = try await store.delivery.recover()
            #expect(report.routed == 1 && report.indexed == 1)
            let sent = try await store.mailboxes.snapshot("Sent", of: Self.anna).messages
            #expect(sent.map(\.uid) == [completed.uid, completed.uid + 1])
            #expect(try await store.reader.bytes(uid: completed.uid + 1, in: "Sent", of: Self.anna) == raw)
            #expect(sent.last?.internalDate == envelope.receivedAt)

            try await store.catalog.messages.setRecoveryCheckpoint(start)
            let again = try await store.delivery.recover()
            #expect(again.routed == 0)
            #expect(try await store.mailboxes.snapshot("Sent", of: Self.anna).messages.count == 2)
        }
    }

    @Test func expungeLeavesTheArchiveAndSearchUntouched() async throws {
        try await ResolutionTests.withAccounts { store in
            let outcome = try await Self.deliver(7, store: store)
            _ = try await store.mailboxes.storeFlags(["\\Deleted"], mode: .add, uids: [1...UInt32.max], in: "INBOX", of: Self.anna)
            #expect(try await store.mailboxes.expunge(in: "INBOX", of: Self.anna, by: .system("test")).expunged == [1])
            #expect(try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages.isEmpty)
            #expect(try await store.reader.content(sha256: outcome.receipt.sha256) != nil)
            let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:m7@example.com"))
            #expect(hits.map(\.id) == [outcome.receipt.sha256])
            // Recovery does not put it back, and the next UID is new.
            _ = try await store.delivery.recover()
            #expect(try await Self.deliver(8, store: store).placements.first?.uid == 2)
        }
    }

    @Test func deliveriesSieveFilingsAndPOP3DeletionsMoveHighestModSeq() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.put("lists", source: """
                require ["fileinto", "imap4flags"];
                if header :contains "subject" "filed" { fileinto :flags "$Filed" "Archive"; }
                """, of: Self.anna, activate: true, by: .system("test"))
            let inbox0 = try await store.mailboxes.status("INBOX", of: Self.anna).highestModSeq
            let archive0 = try await store.mailboxes.status("Archive", of: Self.anna).highestModSeq
            _ = try await Self.deliver(1, store: store)
            _ = try await store.delivery.deliver(message: ImportSessionTests.message(2, subject: "filed"),
                                        envelope: DeliveryTests.envelope(to: [Self.anna]))
            #expect(try await store.mailboxes.status("INBOX", of: Self.anna).highestModSeq == inbox0 + 1)
            let archive = try await store.mailboxes.changes("Archive", of: Self.anna, since: archive0)
            #expect(archive.highestModSeq == archive0 + 1)
            #expect(archive.changed.map(\.flags.names) == [["$Filed"]])
            #expect(try await store.mailboxes.removeMessages(uids: [1], from: "INBOX", of: Self.anna, by: .system("test")) == 1)
            let changes = try await store.mailboxes.changes("INBOX", of: Self.anna, since: inbox0 + 1)
            #expect(changes.expunged == [1] && changes.highestModSeq == inbox0 + 2)
        }
    }

    @Test func oneUserCannotNameAnothersMailboxes() async throws {
        try await ResolutionTests.withAccounts { store in
            _ = try await Self.deliver(1, store: store)
            try await store.mailboxes.createMailbox("Private", of: Self.anna)
            await #expect(throws: MailboxError.nonexistent("Private")) {
                try await store.mailboxes.status("Private", of: Self.bob)
            }
            await #expect(throws: MailboxError.nonexistent("Private")) {
                try await store.mailboxes.append(Self.raw("x"), to: "Private", of: Self.bob, by: .system("test"))
            }
            #expect(try await store.reader.bytes(uid: 1, in: "INBOX", of: Self.bob) == nil)
            #expect(try await store.mailboxes.expunge(in: "INBOX", of: Self.bob, by: .system("test")).expunged.isEmpty)
            #expect(try await store.mailboxes.list(of: Self.bob).contains { $0.name == "Private" } == false)
            #expect(try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages.count == 1)
        }
    }

    @Test func theChangeFeedWakesOnADeliveryAndOnAnotherSessionsFlagChange() async throws {
        try await ResolutionTests.withAccounts { store in
            let stream = try await store.mailboxes.watch("inbox", of: "Anna@Example.org")
            let bobStream = try await store.mailboxes.watch("INBOX", of: Self.bob)
            var events = stream.makeAsyncIterator()
            _ = try await Self.deliver(3, store: store)
            #expect(await events.next() == MailboxChange(user: Self.anna, mailbox: "INBOX", kind: .messagesAdded))
            // Another session of the same user sets a flag.
            _ = try await store.mailboxes.storeFlags(["\\Flagged"], mode: .add, uids: [1...1], in: "INBOX", of: Self.anna)
            #expect(await events.next()?.kind == .flagsChanged)
            _ = try await store.mailboxes.moveMessages(uids: [1...1], from: "INBOX", to: "Archive", of: Self.anna, by: .system("test"))
            #expect(await events.next()?.kind == .messagesExpunged)
            try await store.mailboxes.renameMailbox("INBOX", to: "Before", of: Self.anna, by: .system("test"))
            #expect(await events.next()?.kind == .renamed(to: "Before"))

            // Bob's stream heard nothing of anna's mailbox; it stops when dropped or cancelled.
            #expect(await store.mailboxChanges.subscriberCount == 2)
            let bobTask = Task { () -> MailboxChange? in
                for await change in bobStream { return change }
                return nil
            }
            bobTask.cancel()
            #expect(await bobTask.value == nil)
            // Polled for up to a minute: the cancellation is handled on another task, and a loaded
            // machine may take a while to run it.
            for _ in 0..<6000 where await store.mailboxChanges.subscriberCount > 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await store.mailboxChanges.subscriberCount == 1)
        }
    }

    @Test func statusCountsUnseenAndSize() async throws {
        try await ResolutionTests.withAccounts { store in
            let first = try await Self.deliver(1, store: store), second = try await Self.deliver(2, store: store)
            _ = try await store.mailboxes.storeFlags(["\\Seen"], mode: .add, uids: [2...2], in: "INBOX", of: Self.anna)
            let status = try await store.mailboxes.status("INBOX", of: Self.anna)
            #expect(status.messages == 2 && status.unseen == 1 && status.uidNext == 3 && status.recent == 0)
            #expect(status.size == Int64(first.receipt.size + second.receipt.size))
            try await store.mailboxes.subscribe("Elsewhere", of: Self.anna)
            #expect(try await store.mailboxes.subscriptions(of: Self.anna).contains("Elsewhere"))
            #expect(try await store.mailboxes.unsubscribe("Elsewhere", of: Self.anna))
            #expect(try await store.mailboxes.unsubscribe("Elsewhere", of: Self.anna) == false)
        }
    }
}
