import Foundation
import IMAPServer
import Testing

/// The selected state: FETCH, STORE, SEARCH, COPY/MOVE, EXPUNGE, IDLE and untagged updates.
@Suite struct IMAPSessionMessageTests {
    @Test func fetchFastItemsAndUID() async {
        var harness = await loggedIn()
        let size1 = Samples.hello.utf8.count
        let size2 = Samples.bareLF.utf8.count + 6
        #expect(lines(await harness.send("f FETCH 1:2 (UID FLAGS INTERNALDATE RFC822.SIZE)")) == [
            "* 1 FETCH (UID 1 FLAGS () INTERNALDATE \" 5-Mar-2024 10:00:00 +0100\" RFC822.SIZE \(size1))",
            "* 2 FETCH (UID 2 FLAGS (\\Seen) INTERNALDATE \" 5-Mar-2024 10:00:00 +0100\" RFC822.SIZE \(size2))",
            "f OK FETCH completed",
        ])
        // UID FETCH always reports the UID; "*" is the largest UID.
        #expect(lines(await harness.send("u UID FETCH 3:* FLAGS")) == [
            "* 3 FETCH (UID 3 FLAGS (\\Flagged $Work))", "u OK UID FETCH completed",
        ])
        #expect(await harness.send("v UID FETCH 9 FLAGS") == "v OK UID FETCH completed\r\n")
        #expect(await harness.send("w FETCH 4 FLAGS") == "w BAD Invalid message sequence number\r\n")
    }

    @Test func bareLineFeedsAreServedAsCRLFAndTheSizeAgrees() async {
        var harness = await loggedIn()
        let crlf = Samples.bareLF.replacingOccurrences(of: "\n", with: "\r\n")
        let answer = await harness.send("f FETCH 2 (RFC822.SIZE BODY.PEEK[])")
        #expect(answer == "* 2 FETCH (RFC822.SIZE \(crlf.utf8.count) BODY[] {\(crlf.utf8.count)}\r\n\(crlf))\r\nf OK FETCH completed\r\n")
        let header = "From: carol@example.net\r\nTo: bob@example.org\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\n"
        #expect(await harness.send("g FETCH 2 RFC822.HEADER") == "* 2 FETCH (RFC822.HEADER {\(header.utf8.count)}\r\n\(header))\r\ng OK FETCH completed\r\n")
        #expect(await harness.send("h FETCH 2 BODY.PEEK[TEXT]<5.8>") == "* 2 FETCH (BODY[TEXT]<5> {8}\r\none\r\nLin)\r\nh OK FETCH completed\r\n")
    }

    @Test func bodyWithoutPeekSetsSeenAndReportsFlags() async {
        var harness = await loggedIn()
        let text = "Please transfer the money today.\r\n"
        #expect(await harness.send("f FETCH 1 BODY[TEXT]") == "* 1 FETCH (BODY[TEXT] {\(text.utf8.count)}\r\n\(text) FLAGS (\\Seen))\r\nf OK FETCH completed\r\n")
        #expect(harness.backend.flags(of: 1) == [.seen])
        // Already seen: no FLAGS added.
        let fields = await harness.send("g FETCH 1 BODY[HEADER.FIELDS (Subject)]")
        #expect(fields == "* 1 FETCH (BODY[HEADER.FIELDS (Subject)] {18}\r\nSubject: Hello\r\n\r\n)\r\ng OK FETCH completed\r\n")
        // EXAMINE never sets \Seen.
        _ = await harness.send("e EXAMINE INBOX")
        _ = await harness.send("h FETCH 3 RFC822.TEXT")
        #expect(harness.backend.flags(of: 3) == [.flagged, .keyword("$Work")])
    }

    @Test func fetchEnvelopeBodyStructureMimeAndBinary() async {
        var harness = await loggedIn()
        let envelope = await harness.send("e FETCH 1 ENVELOPE")
        #expect(envelope.hasPrefix("* 1 FETCH (ENVELOPE (\"Tue, 5 Mar 2024 23:30:00 -0800\" \"Hello\" ((\"Ann Example\" NIL \"ann\" \"example.com\"))"))
        #expect(envelope.contains("((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL \"<m1@example.com>\"))\r\ne OK"))
        let structure = await harness.send("b FETCH 3 (BODYSTRUCTURE BODY)")
        #expect(structure.hasPrefix("* 3 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"base64\" 40 "))
        #expect(structure.contains(" BODY ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"base64\" 40 "))
        #expect(structure.contains("\"mixed\" (\"boundary\" \"b1\") NIL NIL NIL)"))
        #expect(structure.contains("\"mixed\""))
        let mime = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        #expect(await harness.send("m FETCH 3 (BODY.PEEK[1.MIME] BINARY.PEEK[1] BINARY.SIZE[1] BODY.PEEK[2])")
            == "* 3 FETCH (BODY[1.MIME] {\(mime.utf8.count)}\r\n\(mime) BINARY[1] {28}\r\nThe quarterly numbers are in BINARY.SIZE[1] 28 BODY[2] {3}\r\nxyz)\r\nm OK FETCH completed\r\n")
        #expect(await harness.send("n FETCH 1 BODY.PEEK[4]") == "* 1 FETCH (BODY[4] NIL)\r\nn OK FETCH completed\r\n")
    }

    @Test func fetchModSeqAndChangedSince() async {
        var harness = await loggedIn()
        _ = await harness.send("s STORE 2 +FLAGS (\\Answered)")
        // RFC 7162 §3.1: the first CONDSTORE-enabling command in the selected state reports HIGHESTMODSEQ.
        #expect(lines(await harness.send("f FETCH 1:* (FLAGS) (CHANGEDSINCE 4)")) == [
            "* 2 FETCH (FLAGS (\\Seen \\Answered) MODSEQ (5))", "* OK [HIGHESTMODSEQ 5] Highest", "f OK FETCH completed",
        ])
        #expect(harness.session.enabled.contains("CONDSTORE"))
    }

    @Test func storeFlagsKeywordsSilentAndUnchangedSince() async {
        var harness = await loggedIn()
        // RFC 3501 §7.2.6: Urgent is new to the mailbox, so FLAGS and PERMANENTFLAGS come first.
        #expect(lines(await harness.send("a STORE 1 +FLAGS (\\Flagged Urgent)")) == [
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Urgent)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Urgent \\*)] Flags permitted",
            "* 1 FETCH (FLAGS (\\Flagged Urgent))", "a OK STORE completed",
        ])
        #expect(await harness.send("b STORE 1 -FLAGS.SILENT (Urgent)") == "b OK STORE completed\r\n")
        #expect(harness.backend.flags(of: 1) == [.flagged])
        let replaced = await harness.send("c UID STORE 2 FLAGS (\\Draft)")
        #expect(replaced == "* 2 FETCH (UID 2 FLAGS (\\Draft))\r\nc OK STORE completed\r\n")
        // Message 1 changed at mod-sequence 6 (after 5 and 6), so UNCHANGEDSINCE 5 fails for it only.
        let conditional = await harness.send("d STORE 1:3 (UNCHANGEDSINCE 5) +FLAGS (\\Answered)")
        #expect(conditional.hasSuffix("d OK [MODIFIED 1:2] Conditional STORE failed for some messages\r\n"))
        #expect(conditional.contains("* 3 FETCH (FLAGS (\\Flagged $Work \\Answered) MODSEQ ("))
        #expect(harness.backend.flags(of: 3)?.contains(.answered) == true)
    }

    @Test func searchEvaluatesEveryKindOfKey() async {
        var harness = await loggedIn()
        func search(_ keys: String) async -> String { await harness.send("s SEARCH \(keys)") }
        #expect(await search("BODY \"ransf\"") == "* SEARCH 1\r\ns OK SEARCH completed\r\n")
        #expect(harness.backend.candidateQueries == [["ransf"]])
        #expect(await search("TEXT quarterly") == "* SEARCH 3\r\ns OK SEARCH completed\r\n")
        #expect(await search("SUBJECT \"grüße\"") == "* SEARCH 2\r\ns OK SEARCH completed\r\n")
        #expect(await search("FROM ann TO bob") == "* SEARCH 1\r\ns OK SEARCH completed\r\n")
        #expect(await search("HEADER Message-ID \"\"") == "* SEARCH 1\r\ns OK SEARCH completed\r\n")
        #expect(await search("OR SEEN FLAGGED") == "* SEARCH 2 3\r\ns OK SEARCH completed\r\n")
        #expect(await search("NOT KEYWORD $work") == "* SEARCH 1 2\r\ns OK SEARCH completed\r\n")
        #expect(await search("2:* UNSEEN") == "* SEARCH 3\r\ns OK SEARCH completed\r\n")
        #expect(await search("UID 1,3 NOT BODY transfer") == "* SEARCH 3\r\ns OK SEARCH completed\r\n")
        #expect(await search("ON 5-Mar-2024 SINCE 1-Jan-2024 BEFORE 6-Mar-2024") == "* SEARCH 1 2 3\r\ns OK SEARCH completed\r\n")
        // The Date: field's own day: 23:30 -0800 on the 5th is the 6th in UTC.
        #expect(await search("SENTON 5-Mar-2024") == "* SEARCH 1\r\ns OK SEARCH completed\r\n")
        #expect(await search("SENTBEFORE 1-Jan-2000") == "* SEARCH\r\ns OK SEARCH completed\r\n")
        #expect(await search("CHARSET UTF-8 BODY MONEY") == "* SEARCH 1\r\ns OK SEARCH completed\r\n")
        #expect(await search("CHARSET KOI8-R BODY x") == "s NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n")
        #expect(await harness.send("u UID SEARCH RETURN (MIN MAX COUNT ALL) NOT DELETED")
            == "* ESEARCH (TAG \"u\") UID MIN 1 MAX 3 ALL 1:3 COUNT 3\r\nu OK UID SEARCH completed\r\n")
        #expect(await harness.send("v SEARCH RETURN () BODY nothing-like-this")
            == "* ESEARCH (TAG \"v\")\r\nv OK SEARCH completed\r\n")
        #expect(await harness.send("m SEARCH MODSEQ 3")
            == "* SEARCH 2 3 (MODSEQ 4)\r\n* OK [HIGHESTMODSEQ 4] Highest\r\nm OK SEARCH completed\r\n")
    }

    @Test func sizesAreTheTransmittedSizes() async {
        var harness = await loggedIn()
        let size2 = Samples.bareLF.utf8.count + 6
        #expect(await harness.send("s SEARCH LARGER \(size2 - 1) SMALLER \(size2 + 1)") == "* SEARCH 2\r\ns OK SEARCH completed\r\n")
    }

    @Test func copyAndMoveReportCopyUIDAndMoveExpunges() async {
        var harness = await loggedIn()
        #expect(await harness.send("c COPY 1:2 Trash") == "c OK [COPYUID 102 1,2 1,2] COPY completed\r\n")
        #expect(await harness.send("d COPY 1 Nowhere") == "d NO [TRYCREATE] Mailbox does not exist\r\n")
        #expect(lines(await harness.send("m UID MOVE 2:3 Sent")) == [
            "* OK [COPYUID 101 2,3 1,2] Moved", "* 3 EXPUNGE", "* 2 EXPUNGE", "m OK UID MOVE completed",
        ])
        #expect(harness.backend.uids(in: "INBOX") == [1])
        #expect(harness.backend.uids(in: "Sent") == [1, 2])
        #expect(await harness.send("f FETCH 1:* UID") == "* 1 FETCH (UID 1)\r\nf OK FETCH completed\r\n")
    }

    @Test func expungeRenumbersAndCloseExpungesSilently() async {
        var harness = await loggedIn()
        _ = await harness.send("a STORE 1:2 +FLAGS.SILENT (\\Deleted)")
        // RFC 3501 §7.4.1: each EXPUNGE renumbers the later messages; highest first keeps numbers valid.
        #expect(lines(await harness.send("e EXPUNGE")) == ["* 2 EXPUNGE", "* 1 EXPUNGE", "e OK EXPUNGE completed"])
        #expect(await harness.send("f FETCH 1 UID") == "* 1 FETCH (UID 3)\r\nf OK FETCH completed\r\n")
        harness.backend.deliver("Subject: four\r\n\r\nx\r\n")
        _ = await harness.send("n NOOP")
        _ = await harness.send("b STORE 2 +FLAGS.SILENT (\\Deleted)")
        #expect(await harness.send("u UID EXPUNGE 1:3") == "u OK UID EXPUNGE completed\r\n")
        #expect(harness.backend.uids(in: "INBOX") == [3, 4])
        #expect(await harness.send("c CLOSE") == "c OK CLOSE completed\r\n")
        #expect(harness.backend.uids(in: "INBOX") == [3])
        #expect(harness.session.state == .authenticated)
    }

    @Test func anotherSessionsChangesArriveAsUntaggedUpdatesButNoExpungeDuringFetch() async {
        let backend = MemoryIMAPBackend()
        for _ in 0..<3 { backend.deliver(Samples.hello) }
        var one = IMAPSessionHarness(backend: backend)
        var two = IMAPSessionHarness(backend: backend)
        for harness in [0, 1] {
            if harness == 0 { await one.login(); _ = await one.send("s SELECT INBOX") } else {
                await two.login()
                _ = await two.send("s SELECT INBOX")
            }
        }
        _ = await two.send("a STORE 2 +FLAGS (\\Deleted)")
        _ = await two.send("b EXPUNGE")
        _ = await two.send("c STORE 1 +FLAGS (\\Seen)")
        backend.deliver(Samples.bareLF)
        // FETCH: the flag change and the new message, but the expunge waits (§7.4.1).
        let fetched = lines(await one.send("f FETCH 3 UID"))
        #expect(fetched == [
            "* 3 FETCH (UID 3)", "* 4 EXISTS", "* 1 FETCH (UID 1 FLAGS (\\Seen))", "f OK FETCH completed",
        ])
        #expect(lines(await one.send("n NOOP")) == ["* 2 EXPUNGE", "n OK NOOP completed"])
        #expect(await one.send("g FETCH 3 UID") == "* 3 FETCH (UID 4)\r\ng OK FETCH completed\r\n")
    }

    @Test func idleReportsChangesUntilDone() async {
        var harness = await loggedIn()
        #expect(await harness.send("i IDLE") == "+ idling\r\n")
        #expect(harness.session.isIdling)
        harness.backend.deliver("Subject: new\r\n\r\nnew\r\n")
        #expect(await harness.mailboxChanged() == "* 4 EXISTS\r\n")
        #expect(await harness.send("x NOOP") == "* BAD expected DONE to end IDLE\r\n")
        #expect(await harness.send("done") == "i OK IDLE terminated\r\n")
        #expect(!harness.session.isIdling)
        #expect(await harness.send("n NOOP") == "n OK NOOP completed\r\n")
    }

    @Test func badInputIsAnsweredAndTheSessionGoesOn() async {
        var harness = await loggedIn()
        #expect(await harness.send("a FETCH 1 (FLAGS").hasPrefix("a BAD "))
        #expect(await harness.send("b FETCH 0:x FLAGS").hasPrefix("b BAD "))
        #expect(await harness.send("c FROBNICATE") .hasPrefix("c BAD "))
        #expect(await harness.send("d APPEND INBOX {2147483648}") == "d NO [TOOBIG] literal too large\r\n")
        #expect(await harness.send("e SEARCH BODY") .hasPrefix("e BAD "))
        // "$" is valid since SEARCHRES (RFC 5182); never saved here, it names no message.
        #expect(await harness.send("f UID FETCH $ FLAGS") == "f OK UID FETCH completed\r\n")
        #expect(await harness.send("g SEARCH $") == "* SEARCH\r\ng OK SEARCH completed\r\n")
        #expect(await harness.send("g SEARCH $:4").hasPrefix("g BAD "))
        #expect(await harness.send("h NOOP") == "h OK NOOP completed\r\n")
        #expect(!harness.closed)
    }
}
