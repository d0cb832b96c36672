import Foundation
import NIOCore
import ServerKit
import SocketTestSupport
import SMTPServer
import Testing

/// Transcripts against the real `SMTPService` on 127.0.0.1 port 0 with the in-memory backend.
@Suite struct SocketTests {
    @Test func deliversAMessageWithTraceHeaders() async throws {
        try await withSMTPServer { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220 mx.test ESMTP")
                let ehlo = try await c.command("EHLO client.test", "250-mx.test")
                #expect(ehlo.contains("250 ") && ehlo.contains("PIPELINING") && ehlo.contains("CHUNKING"))
                try await c.command("MAIL FROM:<sender@remote.test>", "250 2.1.0")
                try await c.command("RCPT TO:<alice@example.test>", "250 2.1.5")
                try await c.command("DATA", "354")
                try await c.send("Subject: hi\r\n\r\n..dot\r\nline\r\n.\r\n")
                try await c.expect("250 2.0.0 Queued as")
                try await c.command("QUIT", "221 2.0.0")
                #expect(try await c.reply() == nil)
            }
            let delivered = try #require(backend.deliveries.first)
            let text = String(decoding: delivered.message, as: UTF8.self)
            #expect(text.hasPrefix("Return-Path: <sender@remote.test>\r\nReceived: from client.test ([127.0.0.1])\r\n\tby mx.test (Tresor) with ESMTP id \(delivered.envelope.id)\r\n\tfor <alice@example.test>; Thu, 1 Jan 1970 00:00:00 +0000\r\n"))
            #expect(text.hasSuffix("Subject: hi\r\n\r\n.dot\r\nline\r\n"))
            #expect(delivered.session.isLoopback)
            #expect(delivered.session.helo == "client.test")
        }
    }

    @Test func relayAndUnknownUserCodesComeFromTheBackend() async throws {
        try await withSMTPServer { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("EHLO c.test", "250")
                try await c.command("MAIL FROM:<x@remote.test>", "250")
                try await c.command("RCPT TO:<victim@elsewhere.test>", "554 5.7.1")
                try await c.command("RCPT TO:<nobody@example.test>", "550 5.1.1")
                try await c.command("DATA", "503 5.5.1")
                try await c.command("RCPT TO:<Postmaster>", "554")
                try await c.command("VRFY alice", "252")
                try await c.command("NOOP", "250")
                try await c.command("HELP", "214")
                try await c.command("RSET", "250")
                try await c.command("FROB", "500 5.5.1")
            }
            #expect(backend.deliveries.isEmpty)
        }
    }

    @Test func pipelinedCommandsAreAnsweredInOrder() async throws {
        try await withSMTPServer { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.send("EHLO c.test\r\nMAIL FROM:<a@r.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
                try await c.expect("250-mx.test")
                try await c.expect("250 2.1.0")
                try await c.expect("250 2.1.5")
                try await c.expect("550 5.1.1")
                try await c.expect("250 2.1.5")
                try await c.expect("354")
                try await c.send("one\r\n.\r\nMAIL FROM:<b@r.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
                try await c.expect("250 2.0.0")
                try await c.expect("250 2.1.0")
                try await c.expect("250 2.1.5")
                try await c.expect("354")
                try await c.send("two\r\n.\r\nQUIT\r\n")
                try await c.expect("250 2.0.0")
                try await c.expect("221")
            }
            #expect(backend.deliveries.map(\.envelope.recipients) == [["alice@example.test", "bob@example.test"], ["bob@example.test"]])
            #expect(!String(decoding: backend.deliveries[0].message, as: UTF8.self).contains("\tfor <"))
        }
    }

    @Test func bdatChunksAreDeliveredByteForByte() async throws {
        try await withSMTPServer { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("EHLO c.test", "250")
                try await c.command("MAIL FROM:<a@r.test> BODY=BINARYMIME", "250")
                try await c.command("RCPT TO:<bob@example.test>", "250")
                try await c.send("BDAT 10\r\nA: b\n\r\n\0.\r")
                try await c.expect("250 2.0.0 10 octets")
                try await c.send("BDAT 4 LAST\r\n\n.\r\nNOOP\r\n")
                try await c.expect("250 2.0.0 Queued")
                try await c.expect("250 2.0.0 OK")
                // A chunk out of sequence is still read, so it cannot be taken as commands.
                try await c.send("BDAT 6 LAST\r\nQUIT\r\nNOOP\r\n")
                try await c.expect("503 5.5.1")
                try await c.expect("250 2.0.0 OK")
            }
            let message = try #require(backend.deliveries.first?.message)
            #expect(Array(message.suffix(14)) == Array("A: b\n\r\n\0.\r\n.\r\n".utf8))
            #expect(String(decoding: message, as: UTF8.self).hasPrefix("Return-Path: <a@r.test>\r\nReceived: "))
            #expect(backend.deliveries.first?.envelope.body == .binaryMIME)
        }
    }

    /// A chunked transaction that is reset leaves nothing behind: the next transaction's content
    /// starts afresh (otherwise one recipient's chunks would lead another recipient's message).
    @Test func resetChunkedTransactionDoesNotLeakIntoTheNext() async throws {
        try await withSMTPServer { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("EHLO c.test", "250")
                try await c.command("MAIL FROM:<x@r.test>", "250")
                try await c.command("RCPT TO:<alice@example.test>", "250")
                try await c.send("BDAT 12\r\nfor alice!\r\n")
                try await c.expect("250 2.0.0 12 octets")
                try await c.command("RSET", "250")
                try await c.command("MAIL FROM:<y@r.test>", "250")
                try await c.command("RCPT TO:<bob@example.test>", "250")
                try await c.send("BDAT 9 LAST\r\nfor bob\r\n")
                try await c.expect("250 2.0.0 Queued")
            }
            let delivered = try #require(backend.deliveries.first)
            #expect(backend.deliveries.count == 1)
            let text = String(decoding: delivered.message, as: UTF8.self)
            #expect(!text.contains("alice!"))
            #expect(text.hasSuffix("\r\nfor bob\r\n"))
        }
    }

    @Test func smtputf8AddressesAreAccepted() async throws {
        try await withSMTPServer(.submission, configure: { $0.allowPlaintextAuthOnLoopback = true }) { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("EHLO c.test", "250")
                try await c.command("AUTH PLAIN \(Base64.encodeToString(SASLPlain.encode(.init(username: "alice@example.test", password: "secret"))))", "235 2.7.0")
                try await c.command("MAIL FROM:<alice@example.test> SMTPUTF8", "250")
                try await c.command("RCPT TO:<j\u{F6}rg@b\u{FC}ro.test>", "250")
                try await c.command("DATA", "354")
                try await c.send("Subject: gr\u{FC}\u{DF}e\r\n\r\nhi\r\n.\r\n")
                try await c.expect("250")
            }
            let delivered = try #require(backend.deliveries.first)
            #expect(delivered.envelope.utf8)
            #expect(delivered.envelope.recipients == ["j\u{F6}rg@b\u{FC}ro.test"])
            #expect(String(decoding: delivered.message, as: UTF8.self).contains("with UTF8SMTPA id"))
        }
    }

    @Test func sizeLimitIs552AndTheSessionGoesOn() async throws {
        try await withSMTPServer(configure: { $0.limits.messageSize = 100 }) { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                let ehlo = try await c.command("EHLO c.test", "250")
                #expect(ehlo.contains("SIZE 100"))
                try await c.command("MAIL FROM:<a@r.test> SIZE=101", "552 5.3.4")
                try await c.command("MAIL FROM:<a@r.test>", "250")
                try await c.command("RCPT TO:<bob@example.test>", "250")
                try await c.command("DATA", "354")
                try await c.send(String(repeating: "x", count: 80) + "\r\n" + String(repeating: "y", count: 80) + "\r\n.\r\n")
                try await c.expect("552 5.3.4")
                try await c.command("NOOP", "250")
            }
            #expect(backend.deliveries.isEmpty)
        }
    }

    @Test func submissionRequiresAuthAndRefusesPlaintextAuth() async throws {
        try await withSMTPServer(.submission) { port, _ in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                let ehlo = try await c.command("EHLO c.test", "250")
                #expect(!ehlo.contains("AUTH"))
                try await c.command("MAIL FROM:<alice@example.test>", "530 5.7.0")
                try await c.command("AUTH PLAIN", "538 5.7.11")
            }
        }
    }

    @Test func authLoginAndPlainOverLoopback() async throws {
        try await withSMTPServer(.submission, configure: { $0.allowPlaintextAuthOnLoopback = true }) { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("EHLO c.test", "250")
                try await c.command("AUTH LOGIN", "334 VXNlcm5hbWU6")
                try await c.command(Base64.encodeToString(Array("alice@example.test".utf8)), "334 UGFzc3dvcmQ6")
                try await c.command(Base64.encodeToString(Array("wrong".utf8)), "535 5.7.8")
                try await c.command("AUTH PLAIN", "334")
                try await c.command("*", "501")
                try await c.command("AUTH PLAIN", "334")
                try await c.command(Base64.encodeToString(SASLPlain.encode(.init(username: "alice@example.test", password: "secret"))), "235")
                try await c.command("MAIL FROM:<bob@example.test>", "553 5.7.1")
                try await c.command("MAIL FROM:<alice@example.test>", "250")
                try await c.command("RCPT TO:<anyone@far.test>", "250")
                try await c.command("DATA", "354")
                try await c.send("hi\r\n.\r\n")
                try await c.expect("250")
            }
            #expect(backend.deliveries.first?.session.authenticatedUser == "alice@example.test")
            #expect(backend.deliveries.first.map { String(decoding: $0.message, as: UTF8.self).contains("with ESMTPA") } == true)
        }
    }

    @Test func bareLineFeedInCommandsIs500AndInDataCloses() async throws {
        try await withSMTPServer { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.send("EHLO c.test\n")
                try await c.expect("500 5.5.2")
                try await c.command("EHLO c.test", "250")
                try await c.command("MAIL FROM:<a@r.test>", "250")
                try await c.command("RCPT TO:<bob@example.test>", "250")
                try await c.command("DATA", "354")
                try await c.send("hello\n.\nMAIL FROM:<evil@r.test>\r\n.\r\n")
                try await c.expect("521 5.5.2")
                #expect(try await c.reply() == nil)
            }
            #expect(backend.deliveries.isEmpty)
        }
    }

    @Test func longLinesAndNulBytesAreRefused() async throws {
        try await withSMTPServer(configure: { $0.limits.lineLength = 100 }) { port, _ in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.send("EHLO " + String(repeating: "a", count: 300) + "\r\n")
                try await c.expect("500 5.5.2 Line too long")
                try await c.send(bytes: Array("NOOP a\0b\r\n".utf8))
                try await c.expect("500 5.5.2")
                try await c.command("EHLO c.test", "250")
            }
        }
    }

    @Test func garbageBeforeHelloAndTooManyErrorsClose() async throws {
        try await withSMTPServer(configure: { $0.limits.errors = 3 }) { port, _ in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                try await c.expect("500")
                try await c.expect("500")
                try await c.expect("421 4.7.0")
                #expect(try await c.reply() == nil)
            }
        }
    }

    @Test func missingFinalDotDeliversNothing() async throws {
        var server: TestBackend?
        try await withSMTPServer { port, backend in
            server = backend
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("HELO c.test", "250")
                try await c.command("MAIL FROM:<a@r.test>", "250")
                try await c.command("RCPT TO:<bob@example.test>", "250")
                try await c.command("DATA", "354")
                try await c.send("Subject: cut\r\n\r\nhalf a message\r\n")
            }
        }
        // Checked once the server has stopped, which waits for every connection's handler: a
        // delivery of the cut message could no longer be on its way.
        #expect(server?.deliveries.isEmpty == true)
    }

    /// RFC 5321 §4.5.3.2.7: a client silent for the server timeout is told 421 and disconnected.
    /// Time is driven by hand, so a slow machine cannot make the wait before EHLO look like a stall.
    @Test func stalledClientGets421() async throws {
        let timers = ManualTimers()
        try await withSMTPServer(configure: { $0.timing = ConnectionTiming(timers: timers) }) { port, _ in
            try await SMTPTestClient.with(port) { c in
                var waits = ServerWaits(timers)
                try await c.expect("220")
                await waits.next()
                try await c.command("EHLO c.test", "250")
                await waits.next()
                #expect(timers.advance(by: .seconds(299)) == 0, "nothing fires before the five minutes")
                #expect(timers.advance(by: .seconds(2)) >= 1)
                try await c.expect("421 4.4.2")
                #expect(try await c.reply() == nil)
            }
        }
    }

    @Test func stalledDataGets421AndNothingIsDelivered() async throws {
        try await withSMTPServer(configure: { $0.limits.timeouts.dataBlock = .seconds(2) }) { port, backend in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("EHLO c.test", "250")
                try await c.command("MAIL FROM:<a@r.test>", "250")
                try await c.command("RCPT TO:<bob@example.test>", "250")
                try await c.command("DATA", "354")
                try await c.send("partial\r\n")
                try await c.expect("421 4.4.2")
            }
            #expect(backend.deliveries.isEmpty)
        }
    }

    @Test func connectionsPerAddressAreLimited() async throws {
        try await withSMTPServer(configure: { $0.limits.connectionsPerAddress = 1 }) { port, _ in
            try await SMTPTestClient.with(port) { first in
                try await first.expect("220")
                _ = try await SMTPTestClient.with(port) { second in
                    try await second.expect("421 4.7.0")
                }
                try await first.command("NOOP", "250")
            }
        }
    }

    @Test func gracefulShutdownClosesIdleSessionsWith421() async throws {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        var iterator = stream.makeAsyncIterator()
        try await withSMTPServer { port, _ in
            Task {
                _ = try await SMTPTestClient.with(port) { c in
                    try await c.expect("220")
                    try await c.command("EHLO c.test", "250")
                    continuation.yield("ready")
                    continuation.yield(try await c.reply() ?? "<closed>")
                    continuation.finish()
                }
            }
            #expect(await iterator.next() == "ready")
        }
        let farewell = await iterator.next()
        #expect(farewell?.hasPrefix("421 4.3.2") == true)
    }
}
