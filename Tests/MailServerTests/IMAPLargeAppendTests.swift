import Foundation
import Testing
import TestSupport
@testable import MailServer

/// Literals are streamed: imaplib APPENDs a message far larger than the in-memory
/// literal limit; the real server spools it under `DATA/spool/imap` while it arrives, archives it,
/// serves it back byte for byte, and leaves the spool empty.
@Suite struct IMAPLargeAppendTests {
    @Test func imaplibAppendsAMessageThatIsStreamedThroughTheSpool() async throws {
        var message = Array("From: alice@localhost\r\nSubject: a large report\r\nMessage-ID: <large@e2e.test>\r\n\r\n".utf8)
        var generator = SplitMix64(seed: 61)
        while message.count < 3_000_000 {
            message += Array("row \(generator.next()) \(generator.next() % 1000) quarterly figures\r\n".utf8)
        }
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            let r = try await IMAPEndToEndTests.imap([
                ["a", "connect", String(harness.imap), "plain"],
                ["a", "login", "alice@localhost", "correct horse"],
                ["a", "append", "Archive", "(\\Seen)", IMAPEndToEndTests.b64(message)],
                ["a", "select", "Archive"],
                ["a", "uid", "FETCH", "1", "(RFC822.SIZE BODY.PEEK[])"],
                ["a", "logout"],
            ], stepsFile: harness.dataDirectory.appendingPathComponent("imap-steps.json"))
            #expect(r.count == 6, "\(r)")
            #expect(r[2][0].string == "OK", "\(r[2])")
            #expect(r[2][1].flattened.contains("APPENDUID"), "\(r[2])")
            #expect(r[4][1].literals.first == message)
            #expect(r[4][1].flattened.contains("RFC822.SIZE \(message.count)"), "\(r[4][1].flattened.prefix(200))")
            let spool = harness.dataDirectory.appendingPathComponent("spool/imap").path
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
        }
    }
}
