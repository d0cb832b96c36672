import ArchiveStore
import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Purged means gone: once a purge returns, no byte of a purged message (its words, its addresses)
/// is readable anywhere in the data directory — not in any file as stored, and not in any archive
/// record once inflated — while the kept messages' are (the scan can see what it looks for). And a
/// purge is refused while the clock reads earlier than the newest archived record.
@Suite struct PurgeLeftoverTests {
    static let anna = "anna@example.org"

    static func message(_ tag: String) -> [UInt8] {
        Array(("From: Sender <\(tag)sender@leftover.test>\r\nTo: anna@example.org\r\n"
               + "Cc: <\(tag)copy@elsewhere.test>\r\nSubject: \(tag)subject quarterly\r\n"
               + "Message-ID: <\(tag)@leftover.test>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\n\r\n"
               + "The \(tag)body text, with \(tag)attachment words.\r\n").utf8)
    }

    /// What of `needles` the data directory still holds: raw bytes of every file, and every archive
    /// record inflated (bodies, envelopes, event payloads).
    static func leftovers(of needles: [String], in dir: URL, archive: ArchiveStore) throws -> Set<String> {
        var found: Set<String> = []
        func scan(_ bytes: [UInt8]) {
            let text = String(decoding: bytes, as: UTF8.self)
            for needle in needles where text.contains(needle) { found.insert(needle) }
        }
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = files?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            scan(Array(try Data(contentsOf: url)))
        }
        try archive.forEachRecord { record in
            switch record.kind {
            case .body:
                scan(try archive.readBody(at: record.location))
            case .envelope:
                if let envelope = record.envelope {
                    scan(Array((envelope.mailFrom + " " + envelope.recipients.joined(separator: " ")).utf8))
                }
            case .event:
                scan(record.eventPayload ?? [])
            case .seal, .purged:
                break
            }
        }
        return found
    }

    @Test func purgedMessagesLeaveNoReadableByteInTheDataDirectory() async throws {
        try await ResolutionTests.withAccounts { store in
            let doomed = (0..<6).map { "zqdoomed\($0)" }, kept = (0..<3).map { "zqkept\($0)" }
            var items: [PurgeItem] = []
            for tag in doomed + kept {
                let outcome = try await PurgeTests.deliver(Self.message(tag), to: [Self.anna], store: store)
                if doomed.contains(tag) {
                    items.append(PurgeItem(sha256: outcome.receipt.sha256, policy: "leftovers", scope: .archiveAndMailboxes))
                }
            }
            // Read them the way IMAP does, so the byte cache holds them; flag and copy some.
            for entry in try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages {
                _ = try await store.reader.bytes(of: entry, user: Self.anna)
            }
            try await store.mailboxes.createMailbox("Projects", of: Self.anna)
            _ = try await store.mailboxes.copyMessages(uids: [1...4], from: "INBOX", to: "Projects", of: Self.anna,
                                                       by: .system("test"))
            _ = try await store.mailboxes.storeFlags(["\\Flagged", "$Important"], mode: .add, uids: [1...9], in: "INBOX",
                                                     of: Self.anna)
            let needles = doomed.flatMap { ["\($0)subject", "\($0)body", "\($0)sender@leftover.test", "\($0)copy@elsewhere.test"] }
            let controls = kept.flatMap { ["\($0)body", "\($0)copy@elsewhere.test"] }
            #expect(try Self.leftovers(of: needles + controls, in: store.dataDirectory, archive: store.archive)
                == Set(needles + controls), "before the purge the scan finds everything")

            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            let report = try await store.compliance.purge(items, reason: "leftover scan", by: admin)
            #expect(report.messages == doomed.count)
            #expect(report.bytesReclaimed > 0 && report.bytesReclaimed <= report.bytesPurged + 4096,
                    "reclaimed \(report.bytesReclaimed) of \(report.bytesPurged)")
            print("leftover scan: \(report.bytesReclaimed) bytes reclaimed of \(report.bytesPurged) archive bytes purged")

            let left = try Self.leftovers(of: needles + controls, in: store.dataDirectory, archive: store.archive)
            #expect(left.intersection(needles).isEmpty, "still readable: \(left.intersection(needles).sorted())")
            #expect(left.isSuperset(of: controls), "the kept messages must still be found: \(left.sorted())")
        }
    }

    @Test func aPurgeIsRefusedWhileTheClockIsBehindTheNewestRecord() async throws {
        try await withTemporaryDirectory { dir in
            let keys = dir.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            _ = try ArchiveKey.create(inKeysDirectory: keys)
            let now = Date()
            var sha256 = ""
            var admin: OperatorKey?
            do {
                let store = try MailStore(dataDirectory: dir, clock: .fixed(now))
                defer { store.close() }
                try await store.accounts.addDomain("example.org", by: .system("test"))
                try await store.accounts.addUser(Self.anna, password: "pw", by: .system("test"))
                sha256 = try await PurgeTests.deliver(Self.message("clock"), to: [Self.anna], store: store).receipt.sha256
                admin = try await store.compliance.enrolOperator("admin", role: .admin)
            }
            // Someone sets the clock back a day (to make a period look over, or to hide when they purged).
            let behind = try MailStore(dataDirectory: dir, clock: .fixed(now.addingTimeInterval(-86_400)))
            defer { behind.close() }
            let item = PurgeItem(sha256: sha256, policy: "p", scope: .archiveAndMailboxes)
            let outcome: Result<PurgeReport, ComplianceError>
            do {
                outcome = .success(try await behind.compliance.purge([item], reason: "clock", by: .operatorKey(try #require(admin))))
            } catch {
                guard let error = error as? ComplianceError else { throw error }
                outcome = .failure(error)
            }
            guard case .failure(.purge(.clockBehind(let clock, let newest))) = outcome else {
                Issue.record("expected the purge refused for the clock, got \(outcome)")
                return
            }
            #expect(clock < newest && newest.timeIntervalSince(now) > -1, "clock \(clock), newest record \(newest)")
            #expect(try await behind.reader.content(sha256: sha256) == Self.message("clock"))
        }
    }
}
