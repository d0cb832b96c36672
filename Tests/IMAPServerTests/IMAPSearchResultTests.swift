import Testing
@testable import IMAPServer

/// SEARCHRES (RFC 5182): SEARCH RETURN (SAVE), "$" in sequence sets and search keys, and the
/// rules of §2.1 for when "$" is replaced or emptied. INBOX holds UIDs 1 (unseen), 2 (\Seen) and
/// 3 (unseen, \Flagged).
@Suite struct IMAPSearchResultTests {
    /// §2.1: SAVE with MIN and/or MAX alone saves those; with ALL, COUNT or alone, every match.
    @Test(arguments: [
        ([IMAPSearchReturnOption](), [UInt32(2), 5, 9]),
        ([.min], [2]),
        ([.max], [9]),
        ([.min, .max], [2, 9]),
        ([.all], [2, 5, 9]),
        ([.count], [2, 5, 9]),
        ([.min, .count], [2, 5, 9]),
    ])
    func savedMessages(reported: [IMAPSearchReturnOption], saved: [UInt32]) {
        #expect(IMAPSession.savedResult([2, 5, 9], reported: reported) == saved)
    }

    @Test func minAndMaxOfOneMatchSaveItOnce() {
        #expect(IMAPSession.savedResult([4], reported: [.min, .max]) == [4])
        #expect(IMAPSession.savedResult([], reported: [.min, .max]) == [])
    }

    @Test func saveAloneAnswersNothingAndDollarNamesTheMatches() async {
        var harness = await loggedIn()
        #expect(lines(await harness.send("c CAPABILITY"))[0].contains(" SEARCHRES "))
        // §2.1: "the server MUST NOT return ESEARCH" when SAVE is the only result option.
        #expect(await harness.send("s SEARCH RETURN (SAVE) UNSEEN") == "s OK SEARCH completed\r\n")
        #expect(lines(await harness.send("f FETCH $ (UID)")) == ["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "f OK FETCH completed"])
        #expect(lines(await harness.send("u UID SEARCH $")) == ["* SEARCH 1 3", "u OK UID SEARCH completed"])
        #expect(lines(await harness.send("n SEARCH NOT $")) == ["* SEARCH 2", "n OK SEARCH completed"])
        #expect(lines(await harness.send("o SEARCH OR $ SEEN")) == ["* SEARCH 1 2 3", "o OK SEARCH completed"])
        // "$" in the command that saves anew is the previous result (§2.1).
        #expect(await harness.send("t SEARCH RETURN (SAVE) $ FLAGGED") == "t OK SEARCH completed\r\n")
        #expect(lines(await harness.send("f FETCH $ (UID)")) == ["* 3 FETCH (UID 3)", "f OK FETCH completed"])
    }

    @Test func saveWithMinOrMaxSavesOnlyThoseAndReturnsTheRest() async {
        var harness = await loggedIn()
        #expect(lines(await harness.send("m SEARCH RETURN (SAVE MIN) UNSEEN"))
            == ["* ESEARCH (TAG \"m\") MIN 1", "m OK SEARCH completed"])
        #expect(lines(await harness.send("f UID FETCH $ (FLAGS)")).count == 2)
        #expect(lines(await harness.send("x SEARCH RETURN (MAX SAVE) ALL"))
            == ["* ESEARCH (TAG \"x\") MAX 3", "x OK SEARCH completed"])
        #expect(lines(await harness.send("c COPY $ Trash")).last?.hasPrefix("c OK [COPYUID 102 3 1]") == true)
    }

    /// §2.1: a failed SEARCH with SAVE empties "$"; a SELECT starts with it empty; an expunged
    /// message leaves it.
    @Test func resetRules() async {
        var harness = await loggedIn()
        _ = await harness.send("s SEARCH RETURN (SAVE) ALL")
        #expect(lines(await harness.send("b SEARCH RETURN (SAVE) CHARSET KOI8-R ALL")).last?.hasPrefix("b NO [BADCHARSET") == true)
        #expect(lines(await harness.send("f FETCH $ (UID)")) == ["f OK FETCH completed"])

        _ = await harness.send("s SEARCH RETURN (SAVE) UNSEEN")
        _ = await harness.send("d STORE 1 +FLAGS.SILENT (\\Deleted)")
        _ = await harness.send("e EXPUNGE")
        #expect(lines(await harness.send("f FETCH $ (UID)")) == ["* 2 FETCH (UID 3)", "f OK FETCH completed"])

        _ = await harness.send("s SEARCH RETURN (SAVE) ALL")
        _ = await harness.send("r SELECT INBOX")
        #expect(lines(await harness.send("f FETCH $ (UID)")) == ["f OK FETCH completed"])
        // A SEARCH without SAVE leaves "$" alone, even one that fails.
        _ = await harness.send("s SEARCH RETURN (SAVE) SEEN")
        _ = await harness.send("b SEARCH CHARSET KOI8-R ALL")
        _ = await harness.send("a SEARCH UNSEEN")
        #expect(lines(await harness.send("f FETCH $ (UID)")) == ["* 1 FETCH (UID 2)", "f OK FETCH completed"])
    }
}
