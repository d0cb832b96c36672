import Testing
@testable import IMAPServer

/// MULTIAPPEND (RFC 3502 §6.3.11): several messages in one APPEND, all appended or none.
@Suite struct IMAPMultiAppendTests {
    static func literal(_ text: String) -> String { "{\(text.utf8.count)+}\r\n\(text)" }

    @Test func appendsEveryMessageWithTheirUIDsInAPPENDUID() async {
        var harness = await loggedIn(selecting: nil)
        #expect(lines(await harness.send("c CAPABILITY"))[0].contains(" MULTIAPPEND "))
        let one = "Subject: one\r\n\r\n1\r\n", two = "Subject: two\r\n\r\n2\r\n", three = "Subject: three\r\n\r\n3\r\n"
        // RFC 3502 §6.3.11: append-message *(SP append-message); flags and date per message.
        let answer = await harness.send(
            "a APPEND Trash (\\Seen) \(Self.literal(one)) \(Self.literal(two)) (\\Flagged) \" 5-Mar-2024 09:07:03 +0100\" \(Self.literal(three))")
        #expect(answer == "a OK [APPENDUID 102 1:3] APPEND completed\r\n")
        let fetched = lines(await harness.send("f SELECT Trash") + (await harness.send("f FETCH 1:* (FLAGS INTERNALDATE)")))
        #expect(fetched.contains("* 3 EXISTS"), "\(fetched)")
        #expect(fetched.contains { $0.hasPrefix("* 1 FETCH (FLAGS (\\Seen") && !$0.contains("Flagged") }, "\(fetched)")
        #expect(fetched.contains { $0.hasPrefix("* 2 FETCH (FLAGS (") && !$0.contains("\\Seen") && !$0.contains("Flagged") }, "\(fetched)")
        #expect(fetched.contains { $0.hasPrefix("* 3 FETCH (FLAGS (\\Flagged") && $0.contains("Mar-2024 09:07:03 +0100") },
                "\(fetched)")
    }

    /// "If the server is unable to append all of the messages, then none of the messages are
    /// appended" — a failure in the third leaves the mailbox as it was.
    @Test func aFailureInTheThirdMessageAppendsNone() async {
        var harness = await loggedIn(selecting: nil)
        let good = "Subject: fine\r\n\r\nfine\r\n", bad = "Subject: bad\r\n\r\nFAIL-APPEND\r\n"
        let answer = await harness.send(
            "a APPEND Trash \(Self.literal(good)) \(Self.literal(good)) \(Self.literal(bad))")
        #expect(answer == "a NO [UNAVAILABLE] Storage temporarily unavailable\r\n")
        #expect(await harness.send("s STATUS Trash (MESSAGES UIDNEXT)") == "* STATUS Trash (MESSAGES 0 UIDNEXT 1)\r\ns OK STATUS completed\r\n")
        // A missing mailbox is [TRYCREATE] for a batch as for one message (RFC 3501 §6.3.11).
        #expect(await harness.send("b APPEND Nowhere \(Self.literal(good)) \(Self.literal(good))")
            == "b NO [TRYCREATE] Mailbox does not exist\r\n")
    }

    /// RFC 9208 §4.1 for a batch: over quota as a whole, none is appended.
    @Test func aBatchOverQuotaAppendsNone() async {
        let backend = MemoryIMAPBackend()
        let message = "Subject: q\r\n\r\n" + String(repeating: "q", count: 80) + "\r\n"
        backend.state.withLock { $0.storageLimit = UInt64(message.utf8.count * 2) }
        var harness = IMAPSessionHarness(backend: backend)
        await harness.login()
        let answer = await harness.send(
            "a APPEND INBOX \(Self.literal(message)) \(Self.literal(message)) \(Self.literal(message))")
        #expect(answer == "a NO [OVERQUOTA] Quota exceeded\r\n")
        #expect(await harness.send("s STATUS INBOX (MESSAGES)") == "* STATUS INBOX (MESSAGES 0)\r\ns OK STATUS completed\r\n")
        #expect(await harness.send("b APPEND INBOX \(Self.literal(message)) \(Self.literal(message))")
            .hasPrefix("b OK [APPENDUID "))
    }
}
