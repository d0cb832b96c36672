import ArchiveStore
import Foundation
import MailMessage
import Sieve
import Testing
import TestSupport
@testable import MailStore

/// spamtest and virustest (RFC 5235) fed by the header fields the administrator configured.
@Suite struct SieveScanDeliveryTests {
    static let headers = SieveScanHeaders(spamScoreField: "X-Spam-Score", spamScoreMaximum: 10,
                                          virusField: "X-Virus-Status")

    static func message(_ extra: String) -> Message {
        Message(parsing: Array("From: a@remote.test\r\nTo: anna@example.org\r\nSubject: x\r\n\(extra)\r\nBody.\r\n".utf8))
    }

    @Test func headerFieldsBecomeVerdicts() {
        #expect(Self.headers.results(for: Self.message("")) == SieveScanResults())
        #expect(Self.headers.results(for: Self.message("X-Spam-Score: 7.5\r\n")) == SieveScanResults(spam: 0.75))
        #expect(Self.headers.results(for: Self.message("X-Spam-Score: -3.1\r\n")).spam == 0)
        #expect(Self.headers.results(for: Self.message("X-Spam-Score: score=12.0 required=5\r\n")).spam == 1)
        #expect(Self.headers.results(for: Self.message("X-Spam-Score: n/a\r\n")).spam == nil)
        #expect(Self.headers.results(for: Self.message("X-Virus-Status: Infected (Eicar)\r\n")).virus == 5)
        #expect(Self.headers.results(for: Self.message("X-Virus-Status: Clean\r\n")).virus == 1)
        #expect(SieveScanHeaders.off.results(for: Self.message("X-Spam-Score: 9\r\n")) == SieveScanResults())
    }

    @Test func deliveryFilesByTheConfiguredScore() async throws {
        try await withTemporaryDirectory { dir in
            let keys = dir.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            _ = try ArchiveKey.create(inKeysDirectory: keys)
            let store = try MailStore(dataDirectory: dir, sieveScan: Self.headers)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser("anna@example.org", password: "pw", by: .system("test"))
            try await store.rules.put("main", source: """
                require ["spamtest", "fileinto", "mailbox", "relational", "comparator-i;ascii-numeric"];
                if spamtest :value "ge" :comparator "i;ascii-numeric" "6" { fileinto :create "Junk"; }
                """, of: "anna@example.org", activate: true, by: .system("test"))
            func deliver(_ extra: String, _ n: Int) async throws -> [String] {
                let raw = Array("From: a@remote.test\r\nTo: anna@example.org\r\nMessage-ID: <s\(n)@remote.test>\r\n\(extra)\r\nBody.\r\n".utf8)
                return try await store.delivery.deliver(message: raw, envelope: DeliveryTests.envelope(to: ["anna@example.org"]))
                    .placements.map(\.mailbox)
            }
            #expect(try await deliver("X-Spam-Score: 8.1\r\n", 1) == ["Junk"])
            #expect(try await deliver("X-Spam-Score: 1.0\r\n", 2) == ["INBOX"])
            #expect(try await deliver("", 3) == ["INBOX"])
        }
    }
}
