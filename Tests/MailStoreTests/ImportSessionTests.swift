import ArchiveStore
import Catalog
import Foundation
import MailMessage
@testable import MailStore
import Testing
import TestSupport

/// The import path end to end, in process: journal → index, idempotence, malformed mail,
/// reindex from the archive alone.
@Suite struct ImportSessionTests {
    static func makeStore(_ dir: URL) throws -> MailStore {
        let keys = dir.appendingPathComponent("keys", isDirectory: true)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        _ = try ArchiveKey.create(inKeysDirectory: keys)
        return try MailStore(dataDirectory: dir)
    }

    static func message(_ n: Int, subject: String = "Quarterly report") -> [UInt8] {
        Array("From: Sender \(n) <s\(n)@example.com>\r\nTo: team@example.org\r\nSubject: \(subject) \(n)\r\nDate: Mon, 2 Jun 2025 10:00:\(String(format: "%02d", n % 60)) +0000\r\nMessage-ID: <m\(n)@example.com>\r\n\r\nBody number \(n) with the word zebracorn\(n % 3).\r\n".utf8)
    }

    @Test func importsIndexesAndIsIdempotent() async throws {
        try await withTemporaryDirectory { dir in
            let store = try Self.makeStore(dir)
            defer { store.close() }
            var first = ImportSession(store: store, batchSize: 7)
            for n in 0..<50 { try await first.add(ImportCandidate(raw: Self.message(n), origin: "m\(n)", sourceDetail: "test")) }
            // The same message twice within one import is archived once.
            try await first.add(ImportCandidate(raw: Self.message(3), origin: "again", sourceDetail: "test"))
            try await first.flush()
            #expect(first.totals.offered == 51)
            #expect(first.totals.archived == 50)
            #expect(first.totals.alreadyArchived == 1)
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "subject:quarterly")) == 50)
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "zebracorn1")) == 17)

            var second = ImportSession(store: store)
            for n in 0..<50 { try await second.add(ImportCandidate(raw: Self.message(n), origin: "m\(n)", sourceDetail: "test")) }
            try await second.flush()
            #expect(second.totals.archived == 0)
            #expect(second.totals.alreadyArchived == 50)
            #expect(store.archive.statistics.envelopes == 50)
        }
    }

    @Test func malformedMessagesAreArchivedAsTheyAreAndReported() async throws {
        try await withTemporaryDirectory { dir in
            let store = try Self.makeStore(dir)
            defer { store.close() }
            let broken = Array("Subject: cut\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\npart one, never closed".utf8)
            let binary: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
            var session = ImportSession(store: store)
            try await session.add(ImportCandidate(raw: broken, origin: "broken", sourceDetail: "test"))
            try await session.add(ImportCandidate(raw: binary, origin: "binary", sourceDetail: "test"))
            try await session.add(ImportCandidate(raw: [], origin: "empty", sourceDetail: "test"))
            try await session.flush()
            #expect(session.totals.archived == 3)
            #expect(session.totals.malformed.contains { $0.origin == "broken" })
            let hits = try await store.catalog.messages.search(SearchQuery(parsing: "source:import"), limit: nil, offset: 0)
            #expect(hits.count == 3)
            let stored = try hits.map { try store.archive.readBody(sha256: $0.id) }
            for raw in [broken, binary, [UInt8]()] {
                #expect(stored.contains(raw), "archived bytes differ from the input")
            }
        }
    }

    @Test func reindexRebuildsTheSameCatalogFromTheArchive() async throws {
        try await withTemporaryDirectory { dir in
            let store = try Self.makeStore(dir)
            defer { store.close() }
            var session = ImportSession(store: store, batchSize: 16)
            for n in 0..<120 {
                try await session.add(ImportCandidate(raw: Self.message(n, subject: n % 2 == 0 ? "Vertrag Müller" : "Invoice"),
                                                      origin: "m\(n)", sourceDetail: "test"))
            }
            try await session.flush()
            try await store.compliance.record("search", detail: "before reindex", by: .system("tester"))
            let queries = ["vertrag", "subject:muller", "invoice OR vertrag", "-invoice", "zebracorn2", "after:2025-06-01"]
            var before: [[SearchHit]] = []
            for q in queries { before.append(try await store.catalog.messages.search(SearchQuery(parsing: q), limit: nil, offset: 0)) }
            let count = try await store.delivery.reindex(batchSize: 25)
            #expect(count == 120)
            for (q, expected) in zip(queries, before) {
                let after = try await store.catalog.messages.search(SearchQuery(parsing: q), limit: nil, offset: 0)
                #expect(after.map(\.id) == expected.map(\.id), "\(q)")
                #expect(!after.isEmpty)
            }
            // The audit log survives a reindex; every entry is also an archive event.
            #expect(try await store.catalog.governance.auditLog().contains { $0.detail == "before reindex" })
            #expect(store.archive.statistics.events >= 1)
            #expect(ArchiveVerifier.verify(dataDirectory: dir).isValid)
        }
    }
}
