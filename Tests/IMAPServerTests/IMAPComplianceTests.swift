import Testing
@testable import IMAPServer

/// Rules Dovecot's scripted compliance tests (imaptest) check, each from the RFC's text:
/// \Recent for IMAP4rev1 sessions, keywords announced by FLAGS, CONDSTORE's HIGHESTMODSEQ and
/// MODSEQ in ESEARCH results.
@Suite struct IMAPComplianceTests {
    static let systemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft"

    // MARK: - RFC 3501 §2.3.2: \Recent in exactly one session

    /// Two messages that arrived before anyone looked; sessions not yet logged in.
    static func arrived() -> MemoryIMAPBackend {
        let backend = MemoryIMAPBackend()
        backend.deliver(Samples.hello, recent: true)
        backend.deliver(Samples.bareLF, flags: [.seen], recent: true)
        return backend
    }

    static func session(_ backend: MemoryIMAPBackend) async -> IMAPSessionHarness {
        var harness = IMAPSessionHarness(backend: backend)
        await harness.login()
        return harness
    }

    @Test func theFirstSessionToSelectSeesTheMessagesAsRecentAndNoOtherDoes() async {
        let backend = Self.arrived()
        var first = await Self.session(backend)
        var second = await Self.session(backend)
        // STATUS does not claim (RFC 3501 §6.3.10 RECENT).
        #expect(await second.answer("s STATUS INBOX (RECENT)").first == "* STATUS INBOX (RECENT 2)")
        #expect(await first.answer("a SELECT INBOX").contains("* 2 RECENT"))
        #expect(await first.answer("b FETCH 1:2 FLAGS") == [
            "* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS (\\Seen \\Recent))", "b OK FETCH completed",
        ])
        // RFC 3501 §6.4.4: RECENT; NEW is RECENT UNSEEN; OLD is NOT RECENT.
        #expect(await first.answer("c SEARCH RECENT").first == "* SEARCH 1 2")
        #expect(await first.answer("d SEARCH NEW").first == "* SEARCH 1")
        #expect(await first.answer("e SEARCH OLD").first == "* SEARCH")
        #expect(await second.answer("s STATUS INBOX (RECENT)").first == "* STATUS INBOX (RECENT 0)")
        #expect(await second.answer("a SELECT INBOX").contains("* 0 RECENT"))
        #expect(await second.answer("b FETCH 1 FLAGS").first == "* 1 FETCH (FLAGS ())")
        #expect(await second.answer("e SEARCH OLD").first == "* SEARCH 1 2")
        // STORE cannot set or clear \Recent, and the flag stays in the first session.
        #expect(await first.answer("f STORE 1 +FLAGS (\\Flagged)").first == "* 1 FETCH (FLAGS (\\Flagged \\Recent))")
    }

    @Test func examineLeavesMessagesRecentForTheNextSelect() async {
        let backend = Self.arrived()
        var examiner = await Self.session(backend)
        var selector = await Self.session(backend)
        // RFC 3501 §6.3.2: EXAMINE "MUST NOT cause messages to lose the \Recent flag".
        #expect(await examiner.answer("a EXAMINE INBOX").contains("* 2 RECENT"))
        #expect(await selector.answer("a SELECT INBOX").contains("* 2 RECENT"))
        #expect(await examiner.answer("b EXAMINE INBOX").contains("* 0 RECENT"))
    }

    @Test func aMessageArrivingWhileSelectedIsRecentInTheFirstSessionToHearOfIt() async {
        let backend = Self.arrived()
        var first = await Self.session(backend)
        var second = await Self.session(backend)
        _ = await first.send("a SELECT INBOX")
        _ = await second.send("a SELECT INBOX")
        backend.deliver(Samples.multipart, recent: true)
        // RFC 3501 §7.3.2: RECENT follows EXISTS when the number of recent messages changes.
        #expect(await first.answer("n NOOP") == ["* 3 EXISTS", "* 3 RECENT", "n OK NOOP completed"])
        #expect(await second.answer("n NOOP") == ["* 3 EXISTS", "n OK NOOP completed"])
        #expect(await second.answer("f FETCH 3 FLAGS").first == "* 3 FETCH (FLAGS ())")
    }

    @Test func imap4rev2SessionsHaveNoRecentButStillClaim() async {
        let backend = Self.arrived()
        var modern = await Self.session(backend)
        _ = await modern.send("e ENABLE IMAP4rev2")
        let select = await modern.answer("a SELECT INBOX")
        // RFC 9051 §6.3.2: no RECENT response; §2.3.2: no \Recent flag.
        #expect(!select.contains { $0.contains("RECENT") })
        #expect(await modern.answer("b FETCH 1 FLAGS").first == "* 1 FETCH (FLAGS ())")
        var classic = await Self.session(backend)
        #expect(await classic.answer("a SELECT INBOX").contains("* 0 RECENT"))
    }

    // MARK: - RFC 3501 §5.1.3: names that are not modified UTF-7

    @Test func aNameThatIsNotModifiedUTF7FailsWithNoAndTheSessionGoesOn() async {
        var harness = await loggedIn(selecting: nil)
        #expect(await harness.answer("a SELECT &Jjo!-").first?.hasPrefix("a NO [CANNOT] ") == true)
        #expect(await harness.answer("b LIST \"\" \"!#$&'+,-.:;<=>?@^_`|[}%*\"") == ["b OK LIST completed"])
        #expect(await harness.answer("c LIST \"\" INBOX") == ["* LIST (\\HasNoChildren) \"/\" INBOX", "c OK LIST completed"])
    }

    // MARK: - RFC 3501 §6.4.4 with RFC 5322 §3.4.1: addresses with comments

    @Test func anAddressKeyMatchesAnAddressWrittenWithComments() async {
        let backend = MemoryIMAPBackend()
        backend.deliver("From: <user-from (comment)@ (comment) domain.org>\r\nTo: <b@x.test>\r\n\r\nbody\r\n")
        backend.deliver("From: Other <other@domain.org>\r\n\r\nbody\r\n")
        var harness = await Self.session(backend)
        _ = await harness.send("s SELECT INBOX")
        #expect(await harness.answer("a SEARCH FROM user-from@domain.org").first == "* SEARCH 1")
        #expect(await harness.answer("b SEARCH FROM \"(comment)\"").first == "* SEARCH 1")
        #expect(await harness.answer("c SEARCH FROM domain.org").first == "* SEARCH 1 2")
        #expect(await harness.answer("d SEARCH TO user-from@domain.org").first == "* SEARCH")
    }

    // MARK: - RFC 3501 §7.2.6: FLAGS when a keyword appears for the first time

    /// FLAGS lists the system flags, then the keywords in the order of their lower-cased names.
    @Test func aNewKeywordIsAnnouncedBeforeTheFetchThatShowsIt() async {
        var harness = await loggedIn()
        #expect(await harness.answer("t STORE 1 +FLAGS ($Hello)") == [
            "* FLAGS (\(Self.systemFlags) $Hello $Work)",
            "* OK [PERMANENTFLAGS (\(Self.systemFlags) $Hello $Work \\*)] Flags permitted",
            "* 1 FETCH (FLAGS ($Hello))",
            "t OK STORE completed",
        ])
        // Known keywords, in any case (keywords are case-insensitive, RFC 3501 §2.3.2), are not
        // announced again; neither are system flags.
        #expect(await harness.answer("u STORE 2 +FLAGS ($hello \\Flagged $WORK)") == [
            "* 2 FETCH (FLAGS (\\Seen $hello \\Flagged $WORK))",
            "u OK STORE completed",
        ])
        // .SILENT suppresses the FETCH, not the FLAGS the client must record.
        #expect(await harness.answer("v STORE 3 +FLAGS.SILENT (Junk)") == [
            "* FLAGS (\(Self.systemFlags) $Hello $Work Junk)",
            "* OK [PERMANENTFLAGS (\(Self.systemFlags) $Hello $Work Junk \\*)] Flags permitted",
            "v OK STORE completed",
        ])
    }

    @Test func anotherSessionLearnsOfTheNewKeywordToo() async {
        var writer = await loggedIn()
        var reader = IMAPSessionHarness(backend: writer.backend)
        await reader.login()
        _ = await reader.send("S SELECT INBOX")
        _ = await writer.send("t STORE 2 +FLAGS (NonJunk)")
        #expect(await reader.answer("n NOOP") == [
            "* FLAGS (\(Self.systemFlags) $Work NonJunk)",
            "* OK [PERMANENTFLAGS (\(Self.systemFlags) $Work NonJunk \\*)] Flags permitted",
            "* 2 FETCH (UID 2 FLAGS (\\Seen NonJunk))",
            "n OK NOOP completed",
        ])
    }

    @Test func aReadOnlyMailboxAnnouncesNoPermanentFlags() async {
        var writer = await loggedIn()
        var reader = IMAPSessionHarness(backend: writer.backend)
        await reader.login()
        _ = await reader.send("S EXAMINE INBOX")
        _ = await writer.send("t STORE 1 +FLAGS (Later)")
        #expect(await reader.answer("n NOOP").prefix(2) == [
            "* FLAGS (\(Self.systemFlags) $Work Later)",
            "* OK [PERMANENTFLAGS ()] No permanent flags permitted",
        ])
    }

    // MARK: - RFC 7162 §3.1: HIGHESTMODSEQ after a CONDSTORE-enabling command

    @Test func theFirstCondstoreUseInTheSelectedStateReportsHighestModSeq() async {
        var harness = await loggedIn()
        let first = lines(await harness.send("f FETCH 1 (MODSEQ)"))
        #expect(first.count == 3)
        #expect(first.first?.hasPrefix("* 1 FETCH (MODSEQ (") == true)
        #expect(first.dropFirst().first?.hasPrefix("* OK [HIGHESTMODSEQ ") == true)
        #expect(first.last == "f OK FETCH completed")
        // Only the first: CONDSTORE is on from now.
        #expect(lines(await harness.send("g FETCH 1 (MODSEQ)")).count == 2)
    }

    // MARK: - RFC 4731 §3.2, RFC 7162 §3.1.5: MODSEQ in ESEARCH

    /// After STOREs to messages 1, 3 and 2 in that order, 2 has the highest mod-sequence of
    /// 1:3, then 3, then 1.
    static func storedInOrder() async -> (IMAPSessionHarness, [Int: UInt64]) {
        var harness = await loggedIn()
        _ = await harness.send("m FETCH 1 (MODSEQ)")  // turns CONDSTORE on (RFC 7162 §3.1)
        var modSeqs: [Int: UInt64] = [:]
        for number in [1, 3, 2] {
            let answer = await harness.send("s\(number) STORE \(number) +FLAGS (\\Answered)")
            let value = answer.split(separator: "MODSEQ (").dropFirst().first?.prefix { $0.isNumber }
            modSeqs[number] = value.flatMap { UInt64($0) } ?? 0
        }
        return (harness, modSeqs)
    }

    @Test func modSeqFollowsTheMessagesReturned() async throws {
        var (harness, modSeq) = await Self.storedInOrder()
        #expect(modSeq[2]! > modSeq[3]! && modSeq[3]! > modSeq[1]!)
        let key = "1:3 MODSEQ \"/flags/\\\\answered\" all 1"
        // Only MIN or MAX: the mod-sequence of that message.
        #expect(await harness.answer("a SEARCH RETURN (MIN) \(key)").first == "* ESEARCH (TAG \"a\") MIN 1 MODSEQ \(modSeq[1]!)")
        #expect(await harness.answer("b SEARCH RETURN (MAX) \(key)").first == "* ESEARCH (TAG \"b\") MAX 3 MODSEQ \(modSeq[3]!)")
        #expect(await harness.answer("c SEARCH RETURN (MIN MAX) 2:3 MODSEQ \"/flags/\\\\answered\" all 1").first == "* ESEARCH (TAG \"c\") MIN 2 MAX 3 MODSEQ \(modSeq[2]!)")
        // ALL (RETURN () means ALL) and COUNT: the highest of every match.
        #expect(await harness.answer("d SEARCH RETURN () \(key)").first == "* ESEARCH (TAG \"d\") ALL 1:3 MODSEQ \(modSeq[2]!)")
        #expect(await harness.answer("e SEARCH RETURN (MIN COUNT) \(key)").first == "* ESEARCH (TAG \"e\") MIN 1 COUNT 3 MODSEQ \(modSeq[2]!)")
        // The MODSEQ key selects by mod-sequence; no match, no MODSEQ.
        #expect(await harness.answer("f SEARCH RETURN (ALL) 2:3 MODSEQ \(modSeq[2]!)").first == "* ESEARCH (TAG \"f\") ALL 2 MODSEQ \(modSeq[2]!)")
        #expect(await harness.answer("g SEARCH RETURN (ALL) 2:3 MODSEQ \(modSeq[2]! + 1)").first == "* ESEARCH (TAG \"g\")")
    }
}

extension IMAPSessionHarness {
    /// The lines a command is answered with.
    mutating func answer(_ command: String) async -> [String] {
        lines(await send(command))
    }
}
