import ArchiveStore
import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// `MailStore.purge` end to end in process: catalog rows, search, mailboxes (IMAP and the POP3
/// maildrop view), kept copies for `.archiveOnly`, the change feed, disk space, `verify`, reindex
/// and recovery after a purge, and purges a crash interrupted.
@Suite struct PurgeTests {
    static let anna = "anna@example.org", bob = "bob@example.org"

    /// A message large enough (incompressible filler) that removing it visibly shrinks the archive.
    static func large(_ tag: String, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var text = "From: Sender <sender@remote.test>\r\nTo: anna@example.org\r\nSubject: \(tag) report\r\n"
            + "Message-ID: <\(tag)@remote.test>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\n\r\nThe \(tag) body.\r\n"
        for line in 0..<600 {
            var chunk = ""
            for _ in 0..<60 { chunk.append(Character(UnicodeScalar(UInt8(33 + generator.next() % 90)))) }
            text += "\(line) \(chunk)\r\n"
        }
        return Array(text.utf8)
    }

    static func deliver(_ raw: [UInt8], to users: [String], store: MailStore, source: MessageSource = .smtp) async throws
        -> DeliveryOutcome
    {
        try await store.delivery.deliver(message: raw, envelope: DeliveryTests.envelope(to: users, source: source))
    }

    static func subjects(_ query: String, _ store: MailStore) async throws -> [String] {
        try await store.catalog.messages.search(try SearchQuery(parsing: query)).compactMap(\.subject).sorted()
    }

    @Test func aPurgeRemovesMessagesFromSearchMailboxesAndArchiveAndKeepsArchiveOnlyCopies() async throws {
        try await ResolutionTests.withAccounts { store in
            let shared = Self.large("sharedbody", seed: 1), kept = Self.large("keptbody", seed: 2)
            let archiveOnly = Self.large("copybody", seed: 3)
            // One body, two deliveries (dedup), each to both users.
            let first = try await Self.deliver(shared, to: [Self.anna, Self.bob], store: store)
            let second = try await Self.deliver(shared, to: [Self.anna, Self.bob], store: store)
            #expect(second.receipt.deduplicated && second.receipt.body == first.receipt.body)
            let keptDelivery = try await Self.deliver(kept, to: [Self.anna], store: store)
            let copied = try await Self.deliver(archiveOnly, to: [Self.anna], store: store)
            #expect(try await Self.subjects("report", store) == ["copybody report", "keptbody report", "sharedbody report"])
            let sizeBefore = try store.archive.bytesOnDisk()
            var changes = try await store.mailboxes.watch("INBOX", of: Self.anna).makeAsyncIterator()

            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let report = try await store.compliance.purge([
                PurgeItem(sha256: first.receipt.sha256, policy: "newsletters", scope: .archiveAndMailboxes),
                PurgeItem(sha256: copied.receipt.sha256, policy: "old-mail", scope: .archiveOnly),
            ], reason: "retention expired", by: admin)

            #expect(report.messages == 2 && report.deliveries == 3)
            #expect(report.placementsRemoved == 4)
            #expect(report.segmentsRewritten == 1 && report.bytesReclaimed > 3 * 20_000)
            #expect(try store.archive.bytesOnDisk() < sizeBefore - 2 * 20_000)
            let location = try #require(report.purgeRecord.flatMap(RecordLocation.init))

            // Search: only the kept message.
            #expect(try await Self.subjects("report", store) == ["keptbody report"])
            // Mailboxes: the purged message is gone for both users; the archive-only one stays.
            let inbox = try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages
            #expect(Set(inbox.map(\.sha256)) == [keptDelivery.receipt.sha256, copied.receipt.sha256])
            #expect(try await store.mailboxes.snapshot("INBOX", of: Self.bob).messages.isEmpty)
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).map(\.sha256).sorted()
                == [keptDelivery.receipt.sha256, copied.receipt.sha256].sorted())
            let copyEntry = try #require(inbox.first { $0.sha256 == copied.receipt.sha256 })
            #expect(try await store.reader.bytes(of: copyEntry, user: Self.anna) == archiveOnly)
            #expect(try await store.reader.content(sha256: copied.receipt.sha256) == archiveOnly, "POP3 reads the kept copy")
            #expect(try await store.reader.content(sha256: first.receipt.sha256) == nil)
            #expect(try await store.reader.content(sha256: keptDelivery.receipt.sha256) == kept)
            #expect(await changes.next()?.kind == .messagesExpunged)
            // The archive: the records are stubs, the rest reads as before.
            #expect(throws: ArchiveError.purged(first.receipt.body)) { try store.archive.readBody(at: first.receipt.body) }
            #expect(throws: ArchiveError.purged(copied.receipt.body)) { try store.archive.readBody(at: copied.receipt.body) }
            #expect(try store.archive.readBody(at: keptDelivery.receipt.body) == kept)

            let verification = ArchiveVerifier.verify(dataDirectory: store.dataDirectory)
            #expect(verification.problem == nil, "\(String(describing: verification.problem))")
            #expect(verification.purges.map(\.location) == [location])
            #expect(verification.purges.first?.stubsFound == 5)
            #expect(verification.purges.first?.record.policies == ["newsletters", "old-mail"])
            let purges = try await store.catalog.governance.purges()
            #expect(purges.count == 1 && purges.first?.phase == .done && purges.first?.record == location)

            // A reindex does not bring them back; neither does recovery.
            #expect(try await store.delivery.reindex() == 1)
            #expect(try await Self.subjects("report", store) == ["keptbody report"])
            #expect(try await store.delivery.recover().indexed == 0)
            #expect(try await Self.subjects("report", store) == ["keptbody report"])
            // The same bytes arriving again are archived anew.
            let again = try await Self.deliver(shared, to: [Self.bob], store: store)
            #expect(!again.receipt.deduplicated)
            #expect(try await store.reader.content(sha256: again.receipt.sha256) == shared)
            #expect(ArchiveVerifier.verify(dataDirectory: store.dataDirectory).problem == nil)
        }
    }

    @Test func aPurgeJournaledBeforeACrashIsFinishedAndNeverReindexed() async throws {
        try await ResolutionTests.withAccounts { store in
            let gone = Self.large("gonebody", seed: 4), stays = Self.large("staysbody", seed: 5)
            let delivered = try await Self.deliver(gone, to: [Self.anna], store: store)
            let staying = try await Self.deliver(stays, to: [Self.anna], store: store)
            // Steps 1 and 2 of a purge, then a "crash": the catalog still has everything.
            let entry = PurgeItem(sha256: delivered.receipt.sha256, policy: "p", scope: .archiveAndMailboxes)
            try await store.catalog.governance.beginPurge(id: "crashed", items: [entry], actor: "a", reason: "r", fromSegment: 1, at: Date())
            _ = try await store.archive.journalPurge(PurgeRecord(
                id: "crashed", time: Date(), actor: "a", reason: "r",
                messages: [entry]))
            // A reindex meanwhile skips the purged delivery although its records are still there.
            #expect(try await store.delivery.reindex() == 1)
            #expect(try await Self.subjects("report", store) == ["staysbody report"])
            #expect(try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages.count == 2, "not yet removed")
            // A purge row whose record never reached the archive is dropped.
            try await store.catalog.governance.beginPurge(id: "never-journaled", items: [entry], actor: "a", reason: "r",
                                               fromSegment: 1, at: Date())

            // Young, it might be another process's purge between its first two steps: left alone.
            let first = try await store.compliance.finishPendingPurges()
            #expect(first.count == 1 && first.first?.deliveries == 1 && first.first?.placementsRemoved == 1)
            #expect(first.first?.segmentsRewritten == 1)
            #expect(try await store.catalog.governance.purges().map(\.id).sorted() == ["crashed", "never-journaled"])
            #expect(try await store.catalog.governance.unfinishedPurges().map(\.id) == ["never-journaled"])
            let finished = try await store.compliance.finishPendingPurges(abandonAfter: 0)
            #expect(finished.isEmpty, "the first call finished the journaled one")
            #expect(try await store.catalog.governance.unfinishedPurges().isEmpty)
            #expect(try await store.catalog.governance.purges().map(\.id) == ["crashed"])
            #expect(try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages.map(\.sha256)
                == [staying.receipt.sha256])
            #expect(try store.archive.readBody(sha256: delivered.receipt.sha256) == nil)
            #expect(ArchiveVerifier.verify(dataDirectory: store.dataDirectory).problem == nil)
        }
    }

    /// The last line of defence: a message that arrived while a locked policy governed it carries
    /// that policy's floor in its envelope record, and the archive's writer leaves it out of any
    /// purge before then — even a purge an operator orders directly, past every catalog check.
    @Test func anEnvelopesRetentionFloorKeepsAMessageOutOfAnEarlyPurge() async throws {
        try await ResolutionTests.withAccounts { store in
            let lock = RetentionLockRecord(policy: "reports", match: "subject:report", retain: "10y", countFrom: "received",
                                           action: "purge", file: "pol/reports.toml", recordedAt: Date())
            try await store.compliance.updateRetentionLocks(record: [lock], forget: [], by: .system("test"))
            let floored = try await Self.deliver(Self.large("floored", seed: 7), to: [Self.anna], store: store)
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let report = try await store.compliance.purge(
                [PurgeItem(sha256: floored.receipt.sha256, policy: "p", scope: .archiveAndMailboxes)],
                reason: "early", by: admin)
            #expect(report.messages == 0 && report.protected.map(\.sha256) == [floored.receipt.sha256])
            let until = try #require(report.protected.first?.until)
            #expect(until > Date(), "floor \(until)")
            #expect(try store.archive.readBody(sha256: floored.receipt.sha256) == Self.large("floored", seed: 7))
        }
    }

    @Test func purgingNothingAndUnknownMessagesIsHarmless() async throws {
        try await ResolutionTests.withAccounts { store in
            let kept = try await Self.deliver(Self.large("onlybody", seed: 6), to: [Self.anna], store: store)
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            #expect(try await store.compliance.purge([], reason: "r", by: admin) == PurgeReport())
            let report = try await store.compliance.purge(
                [PurgeItem(sha256: String(repeating: "ab", count: 32), policy: "p", scope: .archiveAndMailboxes)],
                reason: "r", by: admin)
            #expect(report.messages == 0 && report.deliveries == 0 && report.segmentsRewritten == 0)
            #expect(report.purgeRecord != nil)
            #expect(try store.archive.readBody(at: kept.receipt.body) == Self.large("onlybody", seed: 6))
            #expect(ArchiveVerifier.verify(dataDirectory: store.dataDirectory).purges.count == 1)
        }
    }
}
