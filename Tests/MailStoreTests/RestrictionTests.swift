import Catalog
import Foundation
@testable import MailStore
import StoreModel
import Testing
import TestSupport

/// Restrictions of processing (GDPR Art. 18) in process: what the owners' views (IMAP snapshot,
/// STATUS, FETCH batches, the POP3 maildrop) and ordinary search leave out, what they do not touch
/// (holds, exports of a user's folders), mail arriving later, release, the chain and `verify`.
@Suite struct RestrictionTests {
    static let anna = "anna@example.org", bob = "bob@example.org"

    static func message(from: String, subject: String, to: String = "anna@example.org", cc: String? = nil) -> [UInt8] {
        var text = "From: \(from)\r\nTo: \(to)\r\n"
        if let cc { text += "Cc: \(cc)\r\n" }
        text += "Subject: \(subject)\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\nMessage-ID: <\(subject.replacingOccurrences(of: " ", with: "."))@t>\r\n\r\n"
            + "Body of \(subject).\r\n"
        return Array(text.utf8)
    }

    static func deliver(_ raw: [UInt8], to users: [String], store: MailStore, from: String = "sender@remote.test")
        async throws -> String
    {
        try await store.delivery.deliver(message: raw, envelope: DeliveryTests.envelope(from: from, to: users)).receipt.sha256
    }

    static func inbox(_ user: String, _ store: MailStore) async throws -> Set<String> {
        Set(try await store.mailboxes.snapshot("INBOX", of: user).messages.map(\.sha256))
    }

    @Test func aRestrictionHidesItsMessagesFromOwnersButNotFromHoldsUntilReleased() async throws {
        try await ResolutionTests.withAccounts { store in
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let jane = try await Self.deliver(Self.message(from: "jane@remote.test", subject: "jane one"),
                                              to: [Self.anna, Self.bob], store: store)
            let other = try await Self.deliver(Self.message(from: "carl@remote.test", subject: "carl one"),
                                               to: [Self.anna], store: store)
            _ = try await store.compliance.placeHold("case", query: "from:jane@remote.test", reason: "lawsuit", by: admin)

            let placed = try await store.compliance.placeRestriction("dsr-1", query: "from:jane@remote.test",
                                                                     reason: "Art. 18 request", by: admin)
            #expect(placed.messages == 1)
            #expect(try await store.compliance.restrictedMessages() == [jane])

            // IMAP: SELECT's snapshot, STATUS, a FETCH batch by UID; POP3's maildrop.
            #expect(try await Self.inbox(Self.anna, store) == [other])
            #expect(try await Self.inbox(Self.bob, store).isEmpty)
            #expect(try await store.mailboxes.status("INBOX", of: Self.anna).messages == 1)
            #expect(try await store.mailboxes.messages(uids: Array(1...10), in: "INBOX", of: Self.anna).map(\.sha256) == [other])
            #expect(try await store.mailboxes.message(uid: 1, in: "INBOX", of: Self.anna) == nil, "UID 1 is jane's")
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).map(\.sha256) == [other])
            // Search: hidden unless asked for, and that is audited as such.
            let query = try SearchQuery(parsing: "one")
            #expect(try await store.compliance.search(query, by: .system("test")).map(\.id) == [other])
            #expect(try await store.compliance.count(query, by: .system("test")) == 1)
            #expect(Set(try await store.compliance.search(query, includeRestricted: true, by: .system("test")).map(\.id))
                == [jane, other])
            // Holds and exports of a user's folders are not owners' views.
            #expect(try await store.compliance.heldMessages()["case"] == [jane])
            let exported = try await store.compliance.exportMailboxes(of: Self.anna, folders: ["INBOX"], by: .system("test"))
            #expect(Set(exported.flatMap { $0.snapshot.messages.map(\.sha256) }) == [jane, other])

            // Live: mail of the same subject arriving later is restricted as it is indexed.
            let later = try await Self.deliver(Self.message(from: "jane@remote.test", subject: "jane two"),
                                               to: [Self.anna], store: store)
            #expect(try await Self.inbox(Self.anna, store) == [other])
            #expect(try await store.compliance.restriction(named: "dsr-1", by: .system("test"))?.messages == 2)

            #expect(await MailStore.verify(dataDirectory: store.dataDirectory).isValid)
            let released = try await store.compliance.releaseRestriction("dsr-1", reason: "settled", by: admin)
            #expect(!released.isActive)
            #expect(try await Self.inbox(Self.anna, store) == [jane, other, later])
            #expect(try await Self.inbox(Self.bob, store) == [jane])
            #expect(Set(try await store.compliance.search(query, by: .system("test")).map(\.id)) == [jane, other])
            #expect(try await store.compliance.search(try SearchQuery(parsing: "jane"), by: .system("test")).count == 2)
            await #expect(throws: ComplianceError.self) {
                _ = try await store.compliance.releaseRestriction("dsr-1", reason: "again", by: admin)
            }

            // The chain has both, the trail has both, and a reindex keeps them.
            let chain = try await store.compliance.governanceFromArchive()
            #expect(chain.restrictions["dsr-1"]?.isActive == false)
            #expect(chain.restrictions["dsr-1"]?.releaseReason == "settled")
            let actions = try await store.compliance.auditLog(by: .system("test")).map(\.action)
            #expect(actions.contains("restrict add") && actions.contains("restrict release"))
            #expect(actions.contains("search restricted"))
            #expect(await MailStore.verify(dataDirectory: store.dataDirectory).isValid)
        }
    }

    @Test func anAuditorPlacesNoRestriction() async throws {
        try await ResolutionTests.withAccounts { store in
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let auditor = try await store.compliance.enrolOperator("eve", role: .auditor, by: admin)
            await #expect(throws: ComplianceError.self) {
                _ = try await store.compliance.placeRestriction("x", query: "from:a@b.test", reason: "r",
                                                                by: .operatorKey(auditor))
            }
            #expect(try await store.compliance.restrictions(includeReleased: true, by: .system("test")).isEmpty)
        }
    }

    /// A release an auditor signs, appended to the archive by hand, releases nothing when the
    /// chain is folded, and `verify` names it.
    @Test func aForgedReleaseIsNotApplied() async throws {
        try await ResolutionTests.withAccounts { store in
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let auditor = try await store.compliance.enrolOperator("eve", role: .auditor, by: admin)
            _ = try await store.compliance.placeRestriction("dsr-3", query: "from:jane@remote.test", reason: "r", by: admin)
            try await GovernanceRecordTests.forge(.restrictionReleased(name: "dsr-3", reason: "mine now"), as: "eve",
                                                  key: auditor.publicKeyHex, store: store, sign: auditor.sign)
            let chain = try await store.compliance.governanceFromArchive()
            #expect(chain.restrictions["dsr-3"]?.isActive == true)
            #expect(chain.problems.map(\.reason) == ["a auditor releases no restrictions"])
            let report = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(report.findings.filter { $0.area == "governance" }.count == 1, "\(report.findings)")
        }
    }

    @Test func reindexRebuildsRestrictionsAndVerifyNamesARowDeletedByHand() async throws {
        try await ResolutionTests.withAccounts { store in
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let jane = try await Self.deliver(Self.message(from: "jane@remote.test", subject: "jane one"),
                                              to: [Self.anna], store: store)
            _ = try await store.compliance.placeRestriction("dsr-2", query: "from:jane@remote.test", reason: "r", by: admin)
            #expect(try await store.delivery.reindex() == 1)
            #expect(try await store.compliance.restrictedMessages() == [jane])
            #expect(try await Self.inbox(Self.anna, store).isEmpty)

            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM processing_restriction'); c.commit()",
                [store.dataDirectory.appendingPathComponent("catalog.sqlite").path])
            let report = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(!report.isValid)
            #expect(report.findings.contains { $0.area == "governance" && $0.detail.contains("dsr-2") }, "\(report.findings)")

            try await store.catalog.governance.rebuildGovernance(from: try await store.compliance.governanceFromArchive())
            #expect(try await store.compliance.restrictedMessages() == [jane])
            #expect(await MailStore.verify(dataDirectory: store.dataDirectory).isValid)

            // A hidden message un-hidden by hand is named too.
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM restricted_message'); c.commit()",
                [store.dataDirectory.appendingPathComponent("catalog.sqlite").path])
            let drifted = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(drifted.findings.contains { $0.area == "restriction" && $0.detail.contains("dsr-2") }, "\(drifted.findings)")
        }
    }
}
