import ArchiveStore
import Foundation
import MailMessage
import TestSupport
import Testing

@testable import Catalog
@testable import QueryLanguage
import StoreModel

private let memo = """
    From: Legal <legal@example.com>
    To: team@example.com
    Subject: Hold notice
    Date: Tue, 2 Jan 2024 09:00:00 +0000

    Please keep every document about Project Falcon.

    """

private func openCatalog(_ directory: URL) throws -> Catalog {
    try Catalog(path: directory.appendingPathComponent("data/catalog.sqlite"))
}

@Test func indexingTheSameDeliveryTwiceChangesNothing() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try openCatalog(directory)
        var fixtures = CatalogFixtures()
        let item = fixtures.item(memo, sha256: CatalogFixtures.fakeSHA256(1), recipients: ["team@example.com"])
        try await catalog.messages.index([item])
        try await catalog.messages.index([item, item])
        #expect(try await catalog.messages.count(SearchQuery(parsing: "falcon")) == 1)
        let message = try #require(try await catalog.messages.message(id: item.receipt.sha256))
        #expect(message.deliveries.count == 1)
    }
}

@Test func aSecondDeliveryOfTheSameBodyAddsItsEnvelopeNotAMessage() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try openCatalog(directory)
        var fixtures = CatalogFixtures()
        let sha = CatalogFixtures.fakeSHA256(7)
        let first = fixtures.item(memo, sha256: sha, direction: .inbound, recipients: ["team@example.com"],
                                  receivedAt: "2024-01-02 10")
        let second = fixtures.item(memo, sha256: sha, direction: .outbound, source: MessageSource("submission"),
                                   mailFrom: "legal@example.com", recipients: ["Auditor@Outside.example"],
                                   receivedAt: "2024-01-02 09")
        try await catalog.messages.index([first])
        #expect(try await catalog.messages.count(SearchQuery(parsing: "bcc:auditor@outside.example")) == 0)
        try await catalog.messages.index([second])
        #expect(try await catalog.messages.count(SearchQuery(parsing: "falcon")) == 1)
        #expect(try await catalog.messages.count(SearchQuery(parsing: "bcc:auditor@outside.example")) == 1)
        #expect(try await catalog.messages.count(SearchQuery(parsing: "bcc:auditor")) == 1)
        #expect(try await catalog.messages.count(SearchQuery(parsing: "participant:outside.example")) == 1)
        #expect(try await catalog.messages.count(SearchQuery(parsing: "direction:in direction:out")) == 1)
        #expect(try await catalog.messages.count(SearchQuery(parsing: "source:smtp source:submission")) == 1)
        // The body text survived the FTS rewrite.
        #expect(try await catalog.messages.count(SearchQuery(parsing: "body:\"project falcon\"")) == 1)
        let message = try #require(try await catalog.messages.message(id: sha))
        // Oldest delivery first; the archive time is the earliest one.
        #expect(message.deliveries.map(\.envelope.direction) == [.outbound, .inbound])
        #expect(message.deliveries[0].envelope.recipients == ["Auditor@Outside.example"])
        #expect(message.deliveries[1].envelopeLocation == first.receipt.envelope)
        #expect(message.archivedAt == CatalogFixtures.date("2024-01-02 09"))
        let hit = try #require(try await catalog.messages.search(SearchQuery(parsing: "falcon"), limit: nil, offset: 0).first)
        #expect(hit.deliveries == 2)
        #expect(hit.direction == .outbound)
    }
}

@Test func oneBatchIsOneTransaction() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try openCatalog(directory)
        var fixtures = CatalogFixtures()
        let good = fixtures.item(memo, sha256: CatalogFixtures.fakeSHA256(1))
        var bad = fixtures.item(memo.replacingOccurrences(of: "Falcon", with: "Osprey"),
                                sha256: CatalogFixtures.fakeSHA256(2))
        // A body location beyond SQLite's signed 64-bit INTEGER fails the second item.
        bad.receipt.body = RecordLocation(segment: 1, offset: UInt64.max)
        await #expect(throws: CatalogError.locationOutOfRange(bad.receipt.body)) {
            try await catalog.messages.index([good, bad])
        }
        #expect(try await catalog.messages.count(SearchQuery(parsing: "falcon OR osprey")) == 0)
    }
}

@Test func messagesAreFoundByUniqueIDPrefix() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try openCatalog(directory)
        var fixtures = CatalogFixtures()
        let a = CatalogFixtures.fakeSHA256(1, sharedPrefix: "abcdef01")
        let b = CatalogFixtures.fakeSHA256(2, sharedPrefix: "abcdef01")
        try await catalog.messages.index([fixtures.item(memo, sha256: a), fixtures.item(memo + "x\n", sha256: b)])
        #expect(try await catalog.messages.message(id: a)?.id == a)
        #expect(try await catalog.messages.message(id: String(a.prefix(16)).uppercased())?.id == a)
        #expect(try await catalog.messages.message(id: "abcdef01000000020")?.id == b)
        #expect(try await catalog.messages.message(id: "12345678") == nil)
        await #expect(throws: CatalogError.ambiguousMessageID("abcdef01")) { try await catalog.messages.message(id: "abcdef01") }
        await #expect(throws: CatalogError.invalidMessageID("abc")) { try await catalog.messages.message(id: "abc") }
        await #expect(throws: CatalogError.invalidMessageID("abcdefgh")) { try await catalog.messages.message(id: "abcdefgh") }
        let message = try #require(try await catalog.messages.message(id: a))
        #expect(message.subject == "Hold notice")
        #expect(message.from == ["Legal <legal@example.com>"])
        #expect(message.to == ["team@example.com"])
        #expect(message.date == CatalogFixtures.date("2024-01-02 09"))
    }
}

@Test func hasDeliveryMatchesBodyAndSource() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try openCatalog(directory)
        var fixtures = CatalogFixtures()
        var item = fixtures.item(memo, sha256: CatalogFixtures.fakeSHA256(3), source: .import)
        item.envelope.sourceDetail = "/mail/old.mbox"
        try await catalog.messages.index([item])
        let sha = item.receipt.sha256
        #expect(try await catalog.messages.hasDelivery(sha256: sha, source: "import"))
        #expect(try await catalog.messages.hasDelivery(sha256: sha.uppercased(), source: "Import", sourceDetail: "/mail/old.mbox"))
        #expect(try await !catalog.messages.hasDelivery(sha256: sha, source: "import", sourceDetail: "/mail/new.mbox"))
        #expect(try await !catalog.messages.hasDelivery(sha256: sha, source: "smtp"))
        #expect(try await !catalog.messages.hasDelivery(sha256: CatalogFixtures.fakeSHA256(4), source: "import"))
    }
}

@Test func resetDropsDerivedDataButKeepsTheAuditLog() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try openCatalog(directory)
        var fixtures = CatalogFixtures()
        let item = fixtures.item(memo, sha256: CatalogFixtures.fakeSHA256(5), recipients: ["x@example.com"])
        try await catalog.messages.index([item])
        let t0 = CatalogFixtures.date("2025-01-01")
        try await catalog.governance.audit([(AuditEntry(time: t0, actor: "legal", action: "search", detail: "falcon", resultCount: 1), nil)])
        try await catalog.reset()
        #expect(try await catalog.messages.count(SearchQuery(parsing: "-zzz")) == 0)
        #expect(try await catalog.messages.count(SearchQuery(parsing: "falcon")) == 0)
        #expect(try await catalog.messages.message(id: item.receipt.sha256) == nil)
        #expect(try await catalog.governance.auditLog(since: nil, actor: nil, limit: nil).count == 1)
        // Reindexing after a reset works, and a reopened catalog sees the same data.
        try await catalog.messages.index([item])
        let reopened = try openCatalog(directory)
        #expect(try await reopened.messages.count(SearchQuery(parsing: "falcon bcc:x@example.com")) == 1)
        #expect(try await reopened.messages.count(SearchQuery(parsing: "falcon to:team@example.com")) == 1)
    }
}

@Test func auditLogFiltersByTimeAndActorAndKeepsOrder() async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try openCatalog(directory)
        let entries = (0..<6).map { n in
            AuditEntry(time: CatalogFixtures.date("2025-01-0\(n + 1)"), actor: n % 2 == 0 ? "alice" : "bob",
                       action: ["search", "show", "export"][n % 3], detail: "detail \(n)",
                       resultCount: n % 3 == 1 ? nil : n)
        }
        for entry in entries.reversed() { try await catalog.governance.audit([(entry, nil)]) }
        #expect(try await catalog.governance.auditLog() == entries)
        #expect(try await catalog.governance.auditLog(actor: "bob") == entries.filter { $0.actor == "bob" })
        #expect(try await catalog.governance.auditLog(since: CatalogFixtures.date("2025-01-04")) == Array(entries[3...]))
        #expect(try await catalog.governance.auditLog(limit: 2) == Array(entries[4...]))
        #expect(try await catalog.governance.auditLog(since: CatalogFixtures.date("2025-01-02"), actor: "alice", limit: 1)
            == [entries[4]])
    }
}
