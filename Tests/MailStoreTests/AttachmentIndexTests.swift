import AttachmentText
@testable import Catalog
import Foundation
import GRDB
@testable import MailStore
import StoreModel
import Testing
import TestSupport

/// The background attachment indexer on a real store: delivery leaves attachment documents for
/// later, the indexer reads them in archive order and records each attachment's state, the text
/// becomes searchable (free words, `body:`, `in:attachment:`), `has:unextracted` finds what was
/// not read, the position survives a restart, and a purge leaves nothing of the text behind.
@Suite struct AttachmentIndexTests {
    static let anna = PurgeTests.anna

    /// A message with an RTF attachment carrying `marker` and a JPEG (which has no text to read).
    static func message(_ tag: String, marker: String) -> [UInt8] {
        let rtf = Data("{\\rtf1\\ansi{\\fonttbl{\\f0 Decoyfont;}}\\pard Clause \(marker) applies.\\par}".utf8).base64EncodedString()
        return Array(("From: Sender <sender@remote.test>\r\nTo: anna@example.org\r\nSubject: \(tag) contract\r\n"
               + "Message-ID: <\(tag)@remote.test>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
               + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
               + "Please find the contract attached.\r\n--b\r\nContent-Type: application/rtf; name=\"\(tag).rtf\"\r\n"
               + "Content-Disposition: attachment; filename=\"\(tag).rtf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               + rtf + "\r\n--b\r\nContent-Type: image/jpeg; name=\"photo.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               + "/9j/4AAQSkZJRgABAQ==\r\n--b--\r\n").utf8)
    }

    @Test func deliveryLeavesDocumentsForTheIndexerWhichMakesThemSearchable() async throws {
        try await ResolutionTests.withAccounts { store in
            let delivered = try await PurgeTests.deliver(Self.message("zqalpha", marker: "zqindemnity"), to: [Self.anna], store: store)
            let id = delivered.receipt.sha256.lowercased()
            // Delivered: the message's own text is found at once, its attachment's text not yet.
            #expect(try await PurgeTests.subjects("attached", store) == ["zqalpha contract"])
            #expect(try await PurgeTests.subjects("zqindemnity", store).isEmpty)
            #expect(try await store.compliance.attachmentRecords(id: id) == nil)
            #expect(try await store.delivery.attachmentIndexLag().messages == 1)

            let pass = try await store.delivery.readAttachments(extractor: AttachmentExtractor())
            #expect(pass.messages == 1 && pass.attachments == 2 && pass.unextracted == 1)
            for query in ["zqindemnity", "body:zqindemnity", "in:attachment:zqindemnity", "in:attachment:\"clause zqindemnity\"",
                          "attachment:zqalpha", "has:unextracted", "zqindemnity attached"] {
                #expect(try await PurgeTests.subjects(query, store) == ["zqalpha contract"], "\(query)")
            }
            // `in:attachment:` is attachment text only; `subject:` and the font table see nothing of it.
            #expect(try await PurgeTests.subjects("in:attachment:attached", store).isEmpty)
            #expect(try await PurgeTests.subjects("subject:zqindemnity", store).isEmpty)
            #expect(try await PurgeTests.subjects("decoyfont", store).isEmpty)
            let records = try #require(try await store.compliance.attachmentRecords(id: id))
            #expect(records.map(\.state) == ["extracted", "unsupported-type"])
            #expect(records.map(\.fileName) == ["zqalpha.rtf", "photo.jpg"])
            #expect(records.map(\.part) == ["2", "3"])
            #expect(try await store.delivery.attachmentIndexLag().messages == 0)
        }
    }

    @Test func theIndexerGoesOnWhereItStoppedInArchiveOrder() async throws {
        try await withTemporaryDirectory { dir in
            var store = try ImportSessionTests.makeStore(dir)
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser(Self.anna, password: "pw", by: .system("test"))
            for (tag, marker) in [("zqone", "zqfirstword"), ("zqtwo", "zqsecondword"), ("zqthree", "zqthirdword")] {
                _ = try await PurgeTests.deliver(Self.message(tag, marker: marker), to: [Self.anna], store: store)
            }
            let first = try await store.delivery.readAttachments(extractor: AttachmentExtractor(), batchSize: 1, maximumBatches: 1)
            #expect(first.messages == 1)
            #expect(try await PurgeTests.subjects("zqfirstword", store) == ["zqone contract"])
            #expect(try await PurgeTests.subjects("zqsecondword OR zqthirdword", store).isEmpty)
            // As after a crash: the store closes and opens again; the indexer resumes at the second.
            store.close()
            store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            #expect(try await store.delivery.attachmentIndexLag().messages == 2)
            let rest = try await store.delivery.readAttachments(extractor: AttachmentExtractor())
            #expect(rest.messages == 2)
            #expect(try await PurgeTests.subjects("zqfirstword OR zqsecondword OR zqthirdword", store)
                == ["zqone contract", "zqthree contract", "zqtwo contract"])
        }
    }

    @Test func aPurgeLeavesNoAttachmentTextAndReindexReadsAgain() async throws {
        try await ResolutionTests.withAccounts { store in
            let gone = try await PurgeTests.deliver(Self.message("zqgone", marker: "zqpurgedword"), to: [Self.anna], store: store)
            _ = try await PurgeTests.deliver(Self.message("zqstays", marker: "zqkeptword"), to: [Self.anna], store: store)
            _ = try await store.delivery.readAttachments(extractor: AttachmentExtractor())
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            _ = try await store.compliance.purge(
                [PurgeItem(sha256: gone.receipt.sha256, policy: "test", scope: .archiveAndMailboxes)],
                reason: "attachment text", by: admin)
            let left = try await store.catalog.pool.read { db in
                (try String.fetchAll(db, sql: "SELECT text FROM attachment_fts"),
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM attachment") ?? 0)
            }
            #expect(left.0.count == 1 && !left.0.joined().contains("zqpurgedword"))
            #expect(left.1 == 2)

            try await store.delivery.restartAttachmentReading()
            #expect(try await PurgeTests.subjects("zqkeptword", store).isEmpty)
            _ = try await store.delivery.readAttachments(extractor: AttachmentExtractor())
            #expect(try await PurgeTests.subjects("zqkeptword", store) == ["zqstays contract"])
        }
    }
}
