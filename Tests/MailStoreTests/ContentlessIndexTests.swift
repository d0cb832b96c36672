@testable import Catalog
import Foundation
import GRDB
@testable import MailStore
import StoreModel
import Testing
import TestSupport

/// The full-text index keeps terms, never the text (catalog schema "v15"): no sentence of a message
/// stands in the catalog file, a further delivery's envelope still reaches the index, a purge takes
/// every term of the message out of it (FTS5 removes a contentless document only with the values it
/// indexed, read back from the archive), and an index of an older format is built anew from the
/// archive.
@Suite struct ContentlessIndexTests {
    static let anna = PurgeTests.anna, bob = PurgeTests.bob

    static func message(_ tag: String) -> [UInt8] {
        Array(("From: Sender <sender@remote.test>\r\nTo: anna@example.org\r\nSubject: \(tag) minutes\r\n"
               + "Message-ID: <\(tag)@remote.test>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\n\r\n"
               + "Minutes of the \(tag) board meeting: the shipment leaves the harbour on Tuesday morning.\r\n"
               + "Cargo reference \(tag)cargo.\r\n").utf8)
    }

    /// Every term the full-text index holds, whatever its column.
    static func vocabulary(_ store: MailStore) async throws -> Set<String> {
        try await store.catalog.pool.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.test_terms USING fts5vocab(main, message_fts, 'row')")
            return Set(try String.fetchAll(db, sql: "SELECT term FROM temp.test_terms"))
        }
    }

    static func catalogFileText(_ store: MailStore) throws -> String {
        var text = ""
        for suffix in ["", "-wal"] {
            let url = URL(fileURLWithPath: MailStore.catalogPath(in: store.dataDirectory).path + suffix)
            if let data = try? Data(contentsOf: url) { text += String(decoding: data, as: UTF8.self) }
        }
        return text
    }

    @Test func theCatalogHoldsTermsButNoSentenceOfTheText() async throws {
        try await ResolutionTests.withAccounts { store in
            _ = try await PurgeTests.deliver(Self.message("zqharbour"), to: [Self.anna], store: store)
            #expect(try await PurgeTests.subjects("body:\"shipment leaves the harbour\"", store) == ["zqharbour minutes"])
            #expect(try await PurgeTests.subjects("tuesday", store) == ["zqharbour minutes"])
            #expect(try await Self.vocabulary(store).isSuperset(of: ["shipment", "harbour", "tuesday"]))
            let file = try Self.catalogFileText(store)
            #expect(!file.contains("the shipment leaves the harbour"), "the body text is stored in the catalog")
        }
    }

    @Test func aFurtherDeliveryReachesTheIndexAndAPurgeLeavesNoTerm() async throws {
        try await ResolutionTests.withAccounts { store in
            let first = try await PurgeTests.deliver(Self.message("zqfirst"), to: [Self.anna], store: store)
            _ = try await PurgeTests.deliver(Self.message("zqkept"), to: [Self.anna], store: store)
            // The same bytes again, now also to bob, who is in no header: a blind recipient.
            _ = try await PurgeTests.deliver(Self.message("zqfirst"), to: [Self.anna, Self.bob], store: store)
            #expect(try await PurgeTests.subjects("bcc:bob@example.org", store) == ["zqfirst minutes"])
            #expect(try await PurgeTests.subjects("participant:bob", store) == ["zqfirst minutes"])
            #expect(try await PurgeTests.subjects("minutes", store) == ["zqfirst minutes", "zqkept minutes"])

            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let report = try await store.compliance.purge(
                [PurgeItem(sha256: first.receipt.sha256, policy: "test", scope: .archiveAndMailboxes)],
                reason: "contentless index", by: admin)
            #expect(report.messages == 1)
            let terms = try await Self.vocabulary(store)
            #expect(!terms.contains("zqfirst") && !terms.contains("bob"), "left in the index: \(terms.sorted())")
            #expect(try await PurgeTests.subjects("minutes", store) == ["zqkept minutes"])
            // Exactly the terms of the message that stays: those of a store that only ever had it.
            try await ResolutionTests.withAccounts { other in
                _ = try await PurgeTests.deliver(Self.message("zqkept"), to: [Self.anna], store: other)
                #expect(try await Self.vocabulary(other) == terms)
            }
        }
    }

    /// Addresses are kept in one table keyed by domain first: exact addresses, domains and address
    /// prefixes (whose domain is open) all find exactly their messages.
    @Test func addressesByExactValueDomainAndPrefix() async throws {
        try await ResolutionTests.withAccounts { store in
            for (tag, from) in [("zqa", "alice@example.com"), ("zqb", "Alice@EXODUS.org"), ("zqc", "alice@other.net"),
                                ("zqd", "alicia@example.com"), ("zqe", "bob@mail.example.com"), ("zqf", "alice@ex.io")] {
                let raw = String(decoding: Self.message(tag), as: UTF8.self)
                    .replacingOccurrences(of: "Sender <sender@remote.test>", with: "<\(from)>")
                _ = try await PurgeTests.deliver(Array(raw.utf8), to: [Self.anna], store: store)
            }
            func tags(_ query: String) async throws -> [String] {
                try await PurgeTests.subjects(query, store).map { String($0.prefix(3)) }
            }
            #expect(try await tags("from:alice@example.com") == ["zqa"])
            #expect(try await tags("from:alice@exodus.org") == ["zqb"])
            #expect(try await tags("from:alice@ex*") == ["zqa", "zqb", "zqf"])
            #expect(try await tags("from:alice@*") == ["zqa", "zqb", "zqc", "zqf"])
            #expect(try await tags("participant:alice@o*") == ["zqc"])
            #expect(try await tags("to:alice@*").isEmpty)
            #expect(try await tags("from:@example.com") == ["zqa", "zqd", "zqe"])
            #expect(try await tags("domain:example.com") == ["zqa", "zqd", "zqe"])
            #expect(try await tags("domain:mail.example.com") == ["zqe"])
        }
    }

    @Test func anIndexOfAnOlderFormatIsBuiltAnewFromTheArchive() async throws {
        try await withTemporaryDirectory { dir in
            var sha256s: [String] = []
            do {
                let store = try ImportSessionTests.makeStore(dir)
                defer { store.close() }
                try await store.accounts.addDomain("example.org", by: .system("test"))
                try await store.accounts.addUser(Self.anna, password: "pw", by: .system("test"))
                for tag in ["zqone", "zqtwo", "zqthree"] {
                    sha256s.append(try await PurgeTests.deliver(Self.message(tag), to: [Self.anna], store: store).receipt.sha256)
                }
                // Back to the catalog as "v14" left it: text stored in the index, no format.
                try await store.catalog.pool.writeWithoutTransaction { db in
                    try db.execute(sql: """
                        DROP TABLE message_fts;
                        CREATE VIRTUAL TABLE message_fts USING fts5(
                            subject, body, attachment, from_text, to_text, cc_text, bcc_text, participant,
                            tokenize = "unicode61 remove_diacritics 2", prefix = "2 3");
                        INSERT INTO message_fts (rowid, subject, body) SELECT id, subject, 'stale words' FROM message;
                        ALTER TABLE message DROP COLUMN body_text_cut;
                        DELETE FROM catalog_state WHERE key LIKE 'full_text_%';
                        DELETE FROM grdb_migrations WHERE identifier = 'v15';
                        """)
                }
            }
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            #expect(try await !store.compliance.fullTextIsCurrent())
            #expect(try await PurgeTests.subjects("stale", store).isEmpty, "the old documents were dropped")
            #expect(try await PurgeTests.subjects("harbour", store).isEmpty)
            let rebuild = try await store.delivery.bringFullTextUpToDate(batchSize: 2)
            #expect(rebuild.messages == 3 && rebuild.unreadable.isEmpty)
            #expect(try await store.compliance.fullTextIsCurrent())
            #expect(try await PurgeTests.subjects("harbour", store) == ["zqone minutes", "zqthree minutes", "zqtwo minutes"])
            #expect(try await store.delivery.bringFullTextUpToDate().messages == 0, "a current index is left alone")

            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            _ = try await store.compliance.purge(
                [PurgeItem(sha256: sha256s[1], policy: "test", scope: .archiveAndMailboxes)], reason: "rebuilt", by: admin)
            let terms = try await Self.vocabulary(store)
            #expect(!terms.contains("zqtwo") && terms.contains("zqone") && terms.contains("zqthree"))
        }
    }

    /// Format 2 reads every text-bearing part and spells sharp s "ss": a catalog indexed with
    /// format 1 is built anew from the archive, and a document of the new format is removed again
    /// by a purge (its values derived from the archived bytes exactly as they were indexed).
    @Test func aFormatOneIndexIsBuiltAnewWithEveryTextPartAndSharpSFolded() async throws {
        try await withTemporaryDirectory { dir in
            let report = try #require(TextBearingMessages.all.first { $0.marker == "zqdsnreason" }?.message)
            var sharpS = ""
            do {
                let store = try ImportSessionTests.makeStore(dir)
                defer { store.close() }
                try await store.accounts.addDomain("example.org", by: .system("test"))
                try await store.accounts.addUser(Self.anna, password: "pw", by: .system("test"))
                _ = try await PurgeTests.deliver(report, to: [Self.anna], store: store)
                sharpS = try await PurgeTests.deliver(TextBearingMessages.sharpS, to: [Self.anna], store: store).receipt.sha256
                // Back to what format 1 indexed: the report's fields and the sharp s as they stood.
                try await store.catalog.pool.writeWithoutTransaction { db in
                    try db.execute(sql: """
                        INSERT INTO message_fts(message_fts) VALUES ('delete-all');
                        INSERT INTO message_fts (rowid, subject, body) SELECT id, subject, 'hauptstraße a report follows' FROM message;
                        UPDATE catalog_state SET value = 1 WHERE key = 'full_text_format';
                        """)
                }
            }
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            #expect(try await !store.compliance.fullTextIsCurrent())
            #expect(try await PurgeTests.subjects("zqdsnreason", store).isEmpty)
            let rebuild = try await store.delivery.bringFullTextUpToDate(batchSize: 1)
            #expect(rebuild.messages == 2 && rebuild.unreadable.isEmpty)
            #expect(try await store.compliance.fullTextIsCurrent())
            #expect(try await PurgeTests.subjects("zqdsnreason", store) == ["report"])
            #expect(try await PurgeTests.subjects("hauptstrasse", store) == ["Anschrift"])
            #expect(try await PurgeTests.subjects("Hauptstraße", store) == ["Anschrift"])
            #expect(try await !Self.vocabulary(store).contains("hauptstraße"), "documents hold the folded spelling")

            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            _ = try await store.compliance.purge(
                [PurgeItem(sha256: sharpS, policy: "test", scope: .archiveAndMailboxes)], reason: "rebuilt", by: admin)
            let terms = try await Self.vocabulary(store)
            #expect(!terms.contains("hauptstrasse") && !terms.contains("einfahrt"), "the purge removed every term")
            #expect(terms.contains("zqdsnreason"))
        }
    }
}
