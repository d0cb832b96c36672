import Foundation
import IMAPServer
import ServerKit
import Testing

/// The server on real sockets: a whole client session, two clients on one mailbox, IDLE woken
/// by another client's change, STARTTLS, and bad input.
@Suite struct IMAPSocketTests {
    @Test func loginSelectFetchStoreSearchCopyMoveAndLogout() async throws {
        let backend = MemoryIMAPBackend()
        backend.deliver(Samples.hello)
        backend.deliver(Samples.bareLF)
        try await withIMAPServer(backend: backend) { port, backend in
            try await IMAPTestClient.with(port) { client in
                #expect(try await client.line()?.hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2") == true)
                #expect(try await client.command("a", "LOGIN alice secret").hasPrefix("a OK [CAPABILITY"))
                let select = try await client.command("b", "SELECT INBOX")
                #expect(select.contains("* 2 EXISTS\r\n") && select.hasSuffix("b OK [READ-WRITE] SELECT completed\r\n"))
                let crlf = Samples.bareLF.replacingOccurrences(of: "\n", with: "\r\n")
                #expect(try await client.command("c", "FETCH 2 (RFC822.SIZE BODY[])")
                    == "* 2 FETCH (RFC822.SIZE \(crlf.utf8.count) BODY[] {\(crlf.utf8.count)}\r\n\(crlf) FLAGS (\\Seen))\r\nc OK FETCH completed\r\n")
                #expect(try await client.command("d", "SEARCH BODY \"ransf\"") == "* SEARCH 1\r\nd OK SEARCH completed\r\n")
                #expect(try await client.command("e", "STORE 1 +FLAGS (\\Flagged)")
                    == "* 1 FETCH (FLAGS (\\Flagged))\r\ne OK STORE completed\r\n")
                let copied = try await client.command("f", "UID COPY 1 Trash")
                #expect(copied == "f OK [COPYUID 102 1 1] UID COPY completed\r\n")
                #expect(try await client.command("g", "MOVE 1 Sent")
                    == "* OK [COPYUID 101 1 1] Moved\r\n* 1 EXPUNGE\r\ng OK MOVE completed\r\n")
                #expect(try await client.command("h", "FETCH 1 (UID FLAGS)") == "* 1 FETCH (UID 2 FLAGS (\\Seen))\r\nh OK FETCH completed\r\n")
                // Pipelined commands are answered in order.
                try await client.send("p1 NOOP\r\np2 CAPABILITY\r\n")
                #expect(try await client.response("p1") == "p1 OK NOOP completed\r\n")
                #expect(try await client.response("p2").hasSuffix("p2 OK CAPABILITY completed\r\n"))
                #expect(try await client.command("z", "LOGOUT") == "* BYE imap.test logging out\r\nz OK LOGOUT completed\r\n")
                #expect(try await client.line() == nil)
            }
            #expect(backend.uids(in: "Sent") == [1])
        }
    }

    @Test func appendWithSynchronizingLiteralAndTwoClientsSeeEachOthersChanges() async throws {
        try await withIMAPServer { port, backend in
            try await IMAPTestClient.with(port) { one in
                _ = try await one.line()
                _ = try await one.command("a", "LOGIN alice secret")
                _ = try await one.command("b", "SELECT INBOX")
                try await IMAPTestClient.with(port) { two in
                    _ = try await two.line()
                    _ = try await two.command("a", "LOGIN alice secret")
                    let message = "Subject: via two\r\n\r\nhello\r\n"
                    try await two.send("c APPEND INBOX (\\Deleted) {\(message.utf8.count)}\r\n")
                    #expect(try await two.line() == "+ Ready for literal data\r\n")
                    try await two.send(message + "\r\n")
                    #expect(try await two.response("c") == "c OK [APPENDUID 100 1] APPEND completed\r\n")
                    #expect(try await one.command("n", "NOOP") == "* 1 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed\r\n")
                    _ = try await two.command("d", "SELECT INBOX")
                    #expect(try await two.command("e", "EXPUNGE") == "* 1 EXPUNGE\r\ne OK EXPUNGE completed\r\n")
                }
                #expect(try await one.command("f", "CHECK") == "* 1 EXPUNGE\r\nf OK CHECK completed\r\n")
            }
            #expect(backend.uids(in: "INBOX") == [])
        }
    }

    @Test func idleIsWokenByAnotherClientsChange() async throws {
        try await withIMAPServer { port, backend in
            try await IMAPTestClient.with(port) { watcher in
                _ = try await watcher.line()
                _ = try await watcher.command("a", "LOGIN alice secret")
                _ = try await watcher.command("b", "SELECT INBOX")
                try await watcher.send("i IDLE\r\n")
                #expect(try await watcher.line() == "+ idling\r\n")
                try await IMAPTestClient.with(port) { writer in
                    _ = try await writer.line()
                    _ = try await writer.command("a", "LOGIN alice secret")
                    #expect(try await writer.command("c", "APPEND INBOX {3+}\r\nabc").hasPrefix("c OK [APPENDUID"))
                }
                #expect(try await watcher.line() == "* 1 EXISTS\r\n")
                // RFC 3501 §2.3.2: the watcher is the first session told of the appended message.
                #expect(try await watcher.line() == "* 1 RECENT\r\n")
                backend.deliver(Samples.hello)
                #expect(try await watcher.line() == "* 2 EXISTS\r\n")
                try await watcher.send("DONE\r\n")
                #expect(try await watcher.response("i") == "i OK IDLE terminated\r\n")
                #expect(try await watcher.command("n", "NOOP") == "n OK NOOP completed\r\n")
            }
        }
    }

    @Test func startTLSThenLoginOverTLS() async throws {
        let tls = try imapTestTLS()
        try await withIMAPServer(configure: { $0.tls = tls; $0.allowPlaintextAuthOnLoopback = false }) { port, _ in
            try await IMAPTestClient.with(port) { client in
                let greeting = try await client.line() ?? ""
                #expect(greeting.contains(" STARTTLS ") && greeting.contains(" LOGINDISABLED "))
                #expect(try await client.command("a", "LOGIN alice secret")
                    == "a NO [PRIVACYREQUIRED] LOGIN needs TLS; use STARTTLS first\r\n")
                #expect(try await client.command("b", "STARTTLS") == "b OK Begin TLS negotiation now\r\n")
                try await client.startTLS()
                let capability = try await client.command("c", "CAPABILITY")
                #expect(capability.contains("AUTH=PLAIN") && !capability.contains("STARTTLS"))
                #expect(try await client.command("d", "LOGIN alice secret").hasPrefix("d OK [CAPABILITY"))
                #expect(try await client.command("e", "SELECT INBOX").hasSuffix("e OK [READ-WRITE] SELECT completed\r\n"))
            }
        }
    }

    @Test func plaintextPipelinedAfterStartTLSClosesTheConnection() async throws {
        let tls = try imapTestTLS()
        try await withIMAPServer(configure: { $0.tls = tls }) { port, _ in
            try await IMAPTestClient.with(port) { client in
                _ = try await client.line()
                try await client.send("a STARTTLS\r\nb LOGIN alice secret\r\n")
                #expect(try await client.line() == nil)
            }
        }
    }

    @Test func badInputGetsBadAndTheConnectionGoesOn() async throws {
        try await withIMAPServer { port, _ in
            try await IMAPTestClient.with(port) { client in
                _ = try await client.line()
                #expect(try await client.command("a", "SELECT INBOX").hasPrefix("a BAD Please log in first"))
                _ = try await client.command("b", "LOGIN alice secret")
                _ = try await client.command("c", "SELECT INBOX")
                #expect(try await client.command("d", "FETCH 1:2 (FLAGS").hasPrefix("d BAD "))
                #expect(try await client.command("e", "FETCH 1 FLAGS") == "e BAD Invalid message sequence number\r\n")
                #expect(try await client.command("f", "XYZZY").hasPrefix("f BAD "))
                // A 2 GB synchronizing literal is refused before a byte of it is sent.
                #expect(try await client.command("g", "APPEND INBOX {2147483648}") == "g NO [TOOBIG] literal too large\r\n")
                #expect(try await client.command("h", "SEARCH (OR SEEN") .hasPrefix("h BAD "))
                #expect(try await client.command("i", "NOOP") == "i OK NOOP completed\r\n")
            }
        }
    }

    /// A client gone in the middle of IDLE: the session (its reader and its change watcher) ends,
    /// so the server's graceful shutdown completes.
    @Test(.timeLimit(.minutes(1))) func aClientDroppedDuringIdleEndsItsSession() async throws {
        try await withIMAPServer { port, _ in
            try await IMAPTestClient.with(port) { client in
                _ = try await client.line()
                _ = try await client.command("a", "LOGIN alice secret")
                _ = try await client.command("b", "SELECT INBOX")
                try await client.send("i IDLE\r\n")
                #expect(try await client.line() == "+ idling\r\n")
            }
        }
    }
}
