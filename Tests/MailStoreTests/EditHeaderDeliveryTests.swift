import ArchiveStore
import Catalog
import Foundation
import MailMessage
import QueryLanguage
import Sieve
import Testing
import TestSupport
@testable import MailStore

/// Sieve editheader (RFC 5293) at delivery: the user whose script edits the header gets a copy
/// of their own, journaled in the archive beside the original and placed in the same routing
/// transaction; other recipients get the original; recovery routes the original again.
@Suite struct EditHeaderDeliveryTests {
    static let anna = "anna@example.org", bob = "bob@example.org"

    static let raw = Array("""
        From: sender@remote.test\r
        To: anna@example.org, bob@example.org\r
        Subject: Offer of the week\r
        X-Spam-Flag: YES\r
        Message-ID: <offer-1@remote.test>\r
        \r
        Hello, a special offer.\r

        """.utf8)

    static let script = """
        require ["editheader", "fileinto", "mailbox"];
        addheader "X-Filed" "yes";
        deleteheader "X-Spam-Flag";
        if allof (header :is "X-Filed" "yes", not exists "X-Spam-Flag") { fileinto :create "Filed"; }
        """

    static func envelope() -> Envelope { DeliveryTests.envelope(to: [anna, bob]) }

    /// The envelope records of the archive, in order.
    static func envelopes(_ store: MailStore) throws -> [(location: RecordLocation, envelope: Envelope, body: RecordLocation?)] {
        var found: [(RecordLocation, Envelope, RecordLocation?)] = []
        try store.archive.forEachRecord { record in
            if record.kind == .envelope, let envelope = record.envelope {
                found.append((record.location, envelope, record.bodyLocation))
            }
        }
        return found
    }

    /// What the user's mailbox holds, as a client reads it.
    static func contents(_ store: MailStore, _ mailbox: String, of user: String) async throws -> [[UInt8]] {
        var result: [[UInt8]] = []
        for entry in try await store.mailboxes.messages(in: mailbox, of: user) {
            result.append(try #require(try await store.reader.content(sha256: entry.sha256)))
        }
        return result
    }

    static func fields(_ raw: [UInt8]) -> [String] { Message(parsing: raw).header.fields.map { $0.name } }

    @Test func theEditingUserGetsTheEditedCopyAndOthersTheOriginal() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.put("main", source: Self.script, of: Self.anna, activate: true, by: .system("test"))
            let outcome = try await store.delivery.deliver(message: Self.raw, envelope: Self.envelope())
            #expect(Set(outcome.placements.map { "\($0.user) \($0.mailbox)" }) == ["\(Self.anna) Filed", "\(Self.bob) INBOX"])

            let filed = try await Self.contents(store, "Filed", of: Self.anna)
            #expect(filed.count == 1)
            #expect(Self.fields(filed[0]) == ["X-Filed", "From", "To", "Subject", "Message-ID"])
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).isEmpty)
            #expect(try await Self.contents(store, "INBOX", of: Self.bob) == [Self.raw])

            // The archive holds the original as received and anna's copy, each with its envelope.
            let records = try Self.envelopes(store)
            #expect(records.count == 2)
            #expect(records[0].location == outcome.receipt.envelope)
            #expect(records[0].envelope.source == .smtp)
            #expect(records[1].envelope.source == .editedHeader)
            #expect(records[1].envelope.recipients == [Self.anna])
            #expect(records[1].envelope.sourceDetail?.contains(outcome.receipt.envelope.description) == true)
            let copySHA = try await store.mailboxes.messages(in: "Filed", of: Self.anna)[0].sha256
            #expect(try await store.reader.content(sha256: outcome.receipt.sha256) == Self.raw)

            // Search finds both; the copy by its source.
            let all = try await store.compliance.search(try SearchQuery(parsing: "offer"), by: .system("test"))
            #expect(all.count == 2)
            let copies = try await store.compliance.search(try SearchQuery(parsing: "source:editheader"), by: .system("test"))
            #expect(copies.map(\.id) == [copySHA])
        }
    }

    @Test func aRedirectSendsTheEditedCopyAndADiscardJournalsNone() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.put("main", source: """
                require ["editheader"];
                addheader "X-Forwarded-By" "anna";
                redirect "elsewhere@remote.test";
                """, of: Self.anna, activate: true, by: .system("test"))
            try await store.rules.put("main", source: """
                require ["editheader"];
                addheader "X-Never" "stored";
                discard;
                """, of: Self.bob, activate: true, by: .system("test"))
            let outcome = try await store.delivery.deliver(message: Self.raw, envelope: Self.envelope())
            #expect(outcome.placements.isEmpty)
            let records = try Self.envelopes(store)
            #expect(records.map(\.envelope.source) == [.smtp, .editedHeader])
            #expect(records[1].envelope.recipients == [Self.anna])
            let queued = try await store.queue.list()
            #expect(queued.map(\.recipient) == ["elsewhere@remote.test"])
            #expect(queued.first?.envelopeLocation == records[1].location.description)
        }
    }

    /// A crash after the original was journaled and before anything else: recovery runs the
    /// script and journals and places the copy.
    @Test func recoveryRoutesTheOriginalAndJournalsTheCopy() async throws {
        try await withTemporaryDirectory { dir in
            do {
                let store = try await Self.makeStore(dir)
                _ = try await store.archive.append(message: Self.raw, envelope: Self.envelope())
                store.close()
            }
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            let report = try await store.delivery.recover()
            #expect(report.routed == 1)
            let filed = try await Self.contents(store, "Filed", of: Self.anna)
            #expect(filed.count == 1)
            #expect(Self.fields(filed[0]).first == "X-Filed")
            #expect(try await Self.contents(store, "INBOX", of: Self.bob) == [Self.raw])
            #expect(try Self.envelopes(store).map(\.envelope.source) == [.smtp, .editedHeader])
            // Again: nothing is placed or journaled twice.
            try await store.catalog.messages.setRecoveryCheckpoint(RecordLocation(segment: 0, offset: 0))
            #expect(try await store.delivery.recover().routed == 0)
            #expect(try await store.mailboxes.messages(in: "Filed", of: Self.anna).count == 1)
            #expect(try Self.envelopes(store).count == 2)
        }
    }

    /// A crash after the copy was journaled and before the routing transaction: the left-over
    /// copy is only indexed; the original is routed again, which journals a new copy (its body
    /// stored once) and places that one, once.
    @Test func recoveryAfterTheCopyWasJournaledPlacesOneCopy() async throws {
        try await withTemporaryDirectory { dir in
            do {
                let store = try await Self.makeStore(dir)
                let original = try await store.archive.append(message: Self.raw, envelope: Self.envelope())
                let outcome = SieveInterpreter.run([try SieveScript(source: Self.script)], input: SieveInput(
                    message: Message(parsing: Self.raw), envelopeFrom: "sender@remote.test", envelopeTo: Self.anna))
                let edited = try #require(outcome.editedMessage)
                _ = try await store.delivery.journalEditedCopies([Self.anna: edited], of: Self.envelope(),
                                                                 original: original.envelope, lockGeneration: 0)
                store.close()
            }
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            let report = try await store.delivery.recover()
            #expect(report.routed == 1)
            #expect(report.indexed == 2)  // the original and the left-over copy
            let filed = try await store.mailboxes.messages(in: "Filed", of: Self.anna)
            #expect(filed.count == 1)
            let records = try Self.envelopes(store)
            #expect(records.map(\.envelope.source) == [.smtp, .editedHeader, .editedHeader])
            #expect(records[1].body == records[2].body)  // one body for both copies
            #expect(filed.first?.envelopeLocation == records[2].location.description)
            let copies = try await store.compliance.search(try SearchQuery(parsing: "source:editheader"), by: .system("test"))
            #expect(copies.count == 1)  // one message, with two deliveries
            #expect(try await Self.contents(store, "INBOX", of: Self.bob) == [Self.raw])
        }
    }

    /// A store with anna (and her script) and bob.
    static func makeStore(_ dir: URL) async throws -> MailStore {
        let store = try ImportSessionTests.makeStore(dir)
        try await store.accounts.addDomain("example.org", by: .system("test"))
        try await store.accounts.addUser(anna, password: "pw", by: .system("test"))
        try await store.accounts.addUser(bob, password: "pw", by: .system("test"))
        try await store.rules.put("main", source: script, of: anna, activate: true, by: .system("test"))
        return store
    }
}
