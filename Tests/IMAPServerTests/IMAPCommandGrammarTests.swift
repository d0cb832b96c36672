import Testing
@testable import IMAPServer

/// Every command form of RFC 3501 §6 / RFC 9051 §6 and the extensions, line by line.
@Suite struct IMAPCommandGrammarTests {
    static let forms: [(String, IMAPCommand)] = [
        ("a CAPABILITY", .capability), ("a noop", .noop), ("a Logout", .logout), ("a STARTTLS", .startTLS),
        ("a NAMESPACE", .namespace), ("a IDLE", .idle), ("a CHECK", .check), ("a CLOSE", .close),
        ("a UNSELECT", .unselect), ("a EXPUNGE", .expunge),
        ("a AUTHENTICATE PLAIN", .authenticate(mechanism: "PLAIN", initialResponse: nil)),
        ("a authenticate plain AGFsaWNlAHNlY3JldA==",
         .authenticate(mechanism: "PLAIN", initialResponse: bytes("AGFsaWNlAHNlY3JldA=="))),
        ("a AUTHENTICATE PLAIN =", .authenticate(mechanism: "PLAIN", initialResponse: [])),
        ("a LOGIN alice secret", .login(user: bytes("alice"), password: bytes("secret"))),
        ("a LOGIN \"alice@example.com\" \"pa ss\\\"w\\\\d\"",
         .login(user: bytes("alice@example.com"), password: bytes("pa ss\"w\\d"))),
        ("a LOGIN {5+}\r\nalice {3+}\r\npwd", .login(user: bytes("alice"), password: bytes("pwd"))),
        ("a ENABLE CONDSTORE utf8=accept", .enable(["CONDSTORE", "UTF8=ACCEPT"])),
        ("a ID NIL", .id(nil)),
        ("a ID (\"name\" \"Thunderbird\" \"version\" NIL)",
         .id([IDParameter(field: "name", value: "Thunderbird"), IDParameter(field: "version", value: nil)])),
        ("a ID ()", .id([])),
        ("a SELECT INBOX", .select(.inbox, condstore: false)),
        ("a select inbox (CONDSTORE)", .select(.inbox, condstore: true)),
        ("a EXAMINE \"Sent Items\"", .examine(mailbox("Sent Items"), condstore: false)),
        ("a CREATE Archive/2024", .create(mailbox("Archive/2024"))),
        ("a CREATE Entw&APw-rfe", .create(mailbox("Entw\u{00FC}rfe"))),
        ("a DELETE foo", .delete(mailbox("foo"))),
        ("a RENAME foo bar", .rename(from: mailbox("foo"), to: mailbox("bar"))),
        ("a SUBSCRIBE foo", .subscribe(mailbox("foo"))), ("a UNSUBSCRIBE foo", .unsubscribe(mailbox("foo"))),
        ("a LIST \"\" *", .list(IMAPListCommand(reference: "", patterns: ["*"]))),
        ("a LIST \"\" %/%", .list(IMAPListCommand(reference: "", patterns: ["%/%"]))),
        ("a LIST Archive/ \"2024*\"", .list(IMAPListCommand(reference: "Archive/", patterns: ["2024*"]))),
        ("a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX Sent*) RETURN (CHILDREN STATUS (MESSAGES UNSEEN))",
         .list(IMAPListCommand(
            selectionOptions: [.subscribed, .recursiveMatch], reference: "", patterns: ["INBOX", "Sent*"],
            returnOptions: [.children, .status([.messages, .unseen])]))),
        ("a LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE SUBSCRIBED)",
         .list(IMAPListCommand(selectionOptions: [.specialUse], reference: "", patterns: ["*"],
                               returnOptions: [.specialUse, .subscribed]))),
        ("a LIST () \"\" * RETURN ()", .list(IMAPListCommand(reference: "", patterns: ["*"]))),
        ("a LSUB \"\" *", .lsub(reference: "", pattern: "*")),
        ("a STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT HIGHESTMODSEQ SIZE DELETED)",
         .status(.inbox, [.messages, .uidNext, .uidValidity, .unseen, .recent, .highestModSeq, .size, .deleted])),
        ("a UID EXPUNGE 3:5", .uidExpunge(SequenceSet(parsing: bytes("3:5"))!)),
        ("a COPY 1:3 Trash", .copy(SequenceSet(parsing: bytes("1:3"))!, mailbox("Trash"), uid: false)),
        ("a UID COPY 4,7 Trash", .copy(SequenceSet(parsing: bytes("4,7"))!, mailbox("Trash"), uid: true)),
        ("a MOVE * Archive", .move(SequenceSet(parsing: bytes("*"))!, mailbox("Archive"), uid: false)),
        ("a UID MOVE $ Archive", .move(.savedResult, mailbox("Archive"), uid: true)),
        ("a STORE 1 +FLAGS (\\Seen)",
         .store(SequenceSet(parsing: bytes("1"))!, IMAPStoreAction(.add, flags: [.seen]), unchangedSince: nil, uid: false)),
        ("a UID STORE 1:* -FLAGS.SILENT (\\Deleted $Junk)",
         .store(SequenceSet(parsing: bytes("1:*"))!, IMAPStoreAction(.remove, silent: true, flags: [.deleted, .keyword("$Junk")]),
                unchangedSince: nil, uid: true)),
        ("a STORE 2 FLAGS \\Answered \\Flagged",
         .store(SequenceSet(parsing: bytes("2"))!, IMAPStoreAction(.replace, flags: [.answered, .flagged]),
                unchangedSince: nil, uid: false)),
        ("a STORE 2 (UNCHANGEDSINCE 12345) FLAGS ()",
         .store(SequenceSet(parsing: bytes("2"))!, IMAPStoreAction(.replace, flags: []), unchangedSince: 12345, uid: false)),
    ]

    @Test(arguments: forms)
    func parses(line: String, expected: IMAPCommand) {
        #expect(command(line) == expected)
    }

    @Test func tagsFollowTheGrammar() {
        let all = events("A001 NOOP\r\n*x NOOP\r\n+a NOOP\r\nt]1 NOOP\r\n{a NOOP\r\n")
        #expect(all.count == 5)
        #expect(all[0] == .command(IMAPTaggedCommand(tag: "A001", command: .noop)))
        #expect(all[1] == .error(IMAPCommandError(tag: nil, text: "invalid tag")))
        #expect(all[2] == .error(IMAPCommandError(tag: nil, text: "invalid tag")))
        #expect(all[3] == .command(IMAPTaggedCommand(tag: "t]1", command: .noop)))
        #expect(all[4] == .error(IMAPCommandError(tag: nil, text: "invalid tag")))
    }

    @Test func appendForms() throws {
        let message = "Subject: hi\r\n\r\nbody\r\n"
        let plain = command("a APPEND INBOX {\(message.utf8.count)}\r\n\(message)")
        #expect(plain == .append(.inbox, [IMAPAppendMessage(data: bytes(message))]))
        let full = command("a APPEND Drafts (\\Seen \\Draft) \" 5-Mar-2024 09:07:03 +0100\" {\(message.utf8.count)+}\r\n\(message)")
        let date = IMAPDateTime(date: IMAPDate(year: 2024, month: 3, day: 5)!, hour: 9, minute: 7, second: 3, zoneMinutes: 60)
        #expect(full == .append(mailbox("Drafts"), [IMAPAppendMessage(flags: [.seen, .draft], internalDate: date, data: bytes(message))]))
        // literal8 with a NUL (RFC 3516), and MULTIAPPEND (RFC 3502).
        let binary: [UInt8] = bytes("a APPEND INBOX ~{3}\r\n") + [0x61, 0x00, 0x62] + bytes(" () {1}\r\nx\r\n")
        let all = events(binary).filter { $0 != .continuationRequest }
        #expect(all == [.command(IMAPTaggedCommand(tag: "a", command: .append(.inbox, [
            IMAPAppendMessage(data: [0x61, 0x00, 0x62], isBinary: true), IMAPAppendMessage(data: bytes("x")),
        ])))])
    }

    @Test func dateTimeRoundTrip() throws {
        let date = try #require(IMAPDateTime(text: bytes("17-Jul-1996 02:44:25 -0700")))
        #expect(date.description == "17-Jul-1996 02:44:25 -0700")
        #expect(date.instant.timeIntervalSince1970 == 837_596_665)
        #expect(IMAPDateTime(date.instant, zoneMinutes: -420) == date)
        #expect(IMAPDateTime(date.instant).description == "17-Jul-1996 09:44:25 +0000")
        #expect(IMAPDateTime(text: bytes("30-Feb-2024 00:00:00 +0000")) == nil)
        #expect(IMAPDateTime(text: bytes(" 1-Jan-2000 24:00:00 +0000")) == nil)
        #expect(IMAPDateTime(text: bytes(" 1-Jan-2000 10:00:00 0000")) == nil)
        #expect(IMAPDateTime(text: bytes(" 1-Jan-2000 10:00:00 +0000"))?.description == " 1-Jan-2000 10:00:00 +0000")
    }

    @Test(arguments: [
        ("a FOO", "unknown command FOO"),
        ("a", "missing command"),
        ("a  NOOP", "expected a command name"),
        ("a NOOP extra", "unexpected text after the last argument"),
        ("a LOGIN alice", "missing argument"),
        ("a LOGIN alice  secret", "expected a single space between arguments"),
        ("a LOGIN \"alice secret", "unterminated quoted string"),
        ("a LOGIN \"a\\lice\" x", "only \\\" and \\\\ may be escaped in a quoted string"),
        ("a SELECT", "missing argument"),
        ("a SELECT INBOX (QRESYNC)", "unknown SELECT parameter QRESYNC"),
        ("a STATUS INBOX (MESSAGES", "unbalanced parentheses: missing \")\""),
        ("a STATUS INBOX (BOGUS)", "unknown STATUS item BOGUS"),
        ("a STATUS INBOX ()", "empty list"),
        ("a FETCH 0 FLAGS", "invalid sequence set \"0\""),
        ("a FETCH 1:x FLAGS", "invalid sequence set \"1:\""),
        ("a FETCH a FLAGS", "expected a sequence set"),
        ("a FETCH 1 (FLAGS", "unbalanced parentheses: missing \")\""),
        ("a FETCH 1 FLAGS)", "unexpected text after the last argument"),
        ("a FETCH 1 BODY[1.MIMEX]", "unknown section \"MIMEX\""),
        ("a FETCH 1 BODY[MIME]", "MIME needs a part number"),
        ("a FETCH 1 BODY[]<1>", "expected \".\" in the partial range"),
        ("a FETCH 1 BODY[]<0.0>", "expected a partial length (1 to 4294967295)"),
        ("a FETCH 1 FOO", "unknown FETCH item FOO"),
        ("a STORE 1 FLAGS (\\Recent)", "\\Recent cannot be set by a client"),
        ("a STORE 1 XFLAGS (\\Seen)", "unknown STORE item XFLAGS"),
        ("a SEARCH", "missing argument"),
        ("a SEARCH FOO", "unknown search key FOO"),
        ("a SEARCH (SEEN", "unbalanced parentheses: missing \")\""),
        ("a SEARCH ()", "empty list"),
        ("a SEARCH SINCE 31-Feb-2024", "invalid date \"31-Feb-2024\" (expected e.g. 1-Feb-1994)"),
        ("a SEARCH OR SEEN", "missing argument"),
        ("a UID FOO 1", "unknown UID command FOO"),
        ("a APPEND INBOX", "APPEND needs a message"),
        ("a APPEND INBOX (\\Seen) \"bad date\" {1+}\r\nx", "invalid date-time \"bad date\""),
        ("a CREATE a/../b", "mailbox name components \".\" and \"..\" are not allowed"),
        ("a CREATE &Jjo!-", "invalid modified UTF-7 base64 at offset 4"),
        // RFC 5258 §3.1: RECURSIVEMATCH alone, or only with REMOTE, is BAD.
        ("a LIST (RECURSIVEMATCH) \"\" *", "RECURSIVEMATCH needs a selection option other than REMOTE"),
        ("a LIST (RECURSIVEMATCH REMOTE) \"\" *", "RECURSIVEMATCH needs a selection option other than REMOTE"),
        ("a LIST (REMOTE RECURSIVEMATCH) \"\" \"\"", "RECURSIVEMATCH needs a selection option other than REMOTE"),
        ("a LIST (IMAPTEST) \"\" \"\"", "unknown LIST selection option IMAPTEST"),
        ("a LIST \"\" \"\" RETURN (IMAPTEST)", "unknown LIST return option IMAPTEST"),
        ("a ENABLE", "ENABLE needs at least one capability"),
        ("a LOGIN {1+}\r\n\u{0} x", "NUL in a literal; send binary data as literal8 (RFC 3516)"),
    ])
    func refusalsExplainThemselves(line: String, message: String) throws {
        let error = try #require(refusal(line))
        #expect(error.tag == "a")
        #expect(error.text == message)
        #expect(!error.closesConnection)
    }

    @Test func policyAndEncodingRefusalsAreNoCannot() throws {
        let error = try #require(refusal("a CREATE a/../b"))
        #expect(error.status == .no)
        #expect(error.code == .cannot)
        // RFC 3501 §5.1.3: a name that is not modified UTF-7 is still an astring; the command
        // fails with NO and the session goes on.
        for line in ["a CREATE &Jjo!-", "a SELECT &Jjo!-", "a SELECT \"&U,BTFw\"", "a EXAMINE &AGE-"] {
            let refused = try #require(refusal(line))
            #expect(refused.status == .no, "\(line)")
            #expect(refused.code == .cannot, "\(line)")
        }
        // With UTF8=ACCEPT, bytes that are not UTF-8 break the grammar (RFC 6855 §3): BAD.
        let notUTF8 = events(bytes("a SELECT \"a") + [0xFF] + bytes("\"\r\n"), utf8: true)
        guard notUTF8.count == 1, case .error(let syntax) = notUTF8[0] else {
            Issue.record("expected one error, got \(notUTF8)")
            return
        }
        #expect(syntax.status == .bad)
    }

    /// RFC 3501 §9: list-mailbox is any run of list-chars; one that is not modified UTF-7 is
    /// taken literally, not refused.
    @Test func listPatternsThatAreNotModifiedUTF7AreTakenLiterally() {
        #expect(command("a LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*")
            == .list(IMAPListCommand(reference: "", patterns: ["!#$&'+,-.0123456789:;<=>?@^_`|[}%*"])))
        #expect(command("a LIST &Jjo!- *") == .list(IMAPListCommand(reference: "&Jjo!-", patterns: ["*"])))
        #expect(command("a LIST \"\" Entw&APw-*") == .list(IMAPListCommand(reference: "", patterns: ["Entw\u{00FC}*"])))
    }

    @Test func utf8ModeTakesNamesAsUTF8() {
        #expect(command("a SELECT \"Entw\u{00FC}rfe\"", utf8: true) == .select(mailbox("Entw\u{00FC}rfe"), condstore: false))
        #expect(command("a SELECT \"Entw\u{00FC}rfe\"", utf8: false) == nil)
        #expect(command("a LIST \"\" \"Entw\u{00FC}*\"", utf8: true) == .list(IMAPListCommand(reference: "", patterns: ["Entw\u{00FC}*"])))
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "(", count: 40) + "SEEN" + String(repeating: ")", count: 40)
        #expect(refusal("a SEARCH \(deep)")?.text == "lists and search keys nested more than 32 deep (at octet 42 of the command)")
        let nots = String(repeating: "NOT ", count: 40) + "SEEN"
        #expect(refusal("a SEARCH \(nots)")?.text == "lists and search keys nested more than 32 deep (at octet 142 of the command)")
        let fine = String(repeating: "(", count: 5) + "SEEN" + String(repeating: ")", count: 5)
        #expect(command("a SEARCH \(fine)") == .search(IMAPSearchCommand(key: .seen), uid: false))
    }
}
