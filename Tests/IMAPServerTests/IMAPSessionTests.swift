import IMAPServer
import ServerKit
import Testing

/// Sample messages: CRLF with a Date, bare LF with an encoded subject, multipart with base64.
enum Samples {
    static let hello = """
        From: Ann Example <ann@example.com>\r
        To: bob@example.org\r
        Subject: Hello\r
        Date: Tue, 5 Mar 2024 23:30:00 -0800\r
        Message-ID: <m1@example.com>\r
        \r
        Please transfer the money today.\r

        """
    /// Stored with bare LF: 6 line ends, so served 6 octets longer.
    static let bareLF = "From: carol@example.net\nTo: bob@example.org\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n\nLine one\nLine two\n"
    static let multipart = """
        From: dave@example.com\r
        Subject: Report\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b1"\r
        \r
        --b1\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Transfer-Encoding: base64\r
        \r
        VGhlIHF1YXJ0ZXJseSBudW1iZXJzIGFyZSBpbg==\r
        --b1\r
        Content-Type: application/octet-stream\r
        \r
        xyz\r
        --b1--\r

        """
}

/// A harness logged in, with the three samples in INBOX (UIDs 1, 2, 3).
func loggedIn(selecting mailbox: String? = "INBOX") async -> IMAPSessionHarness {
    let backend = MemoryIMAPBackend()
    backend.deliver(Samples.hello)
    backend.deliver(Samples.bareLF, flags: [.seen])
    backend.deliver(Samples.multipart, flags: [.flagged, .keyword("$Work")])
    var harness = IMAPSessionHarness(backend: backend)
    await harness.login()
    if let mailbox { _ = await harness.send("S SELECT \(mailbox)") }
    return harness
}

/// The session alone: every state's commands, authentication, and the mailbox commands.
@Suite struct IMAPSessionTests {
    @Test func greetingCarriesCapabilitiesAndLoginAnnouncesNewOnes() async {
        var harness = IMAPSessionHarness()
        let greeting = await harness.connect()
        #expect(greeting.hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN SASL-IR"))
        #expect(greeting.hasSuffix("] imap.test IMAP ready\r\n"))
        let login = await harness.send("a LOGIN alice secret")
        #expect(login.hasPrefix("a OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+"))
        #expect(login.contains(" IDLE ") && login.contains(" MOVE ") && login.contains(" CONDSTORE "))
        #expect(!login.contains("STARTTLS"))
        #expect(harness.session.state == .authenticated)
    }

    @Test func loginWithoutTLSIsRefusedWithPrivacyRequired() async {
        var harness = IMAPSessionHarness(loopback: false)
        let greeting = await harness.connect()
        #expect(greeting.contains(" LOGINDISABLED "))
        #expect(!greeting.contains("AUTH=PLAIN"))
        #expect(await harness.send("a LOGIN alice secret") == "a NO [PRIVACYREQUIRED] LOGIN needs TLS; use STARTTLS first\r\n")
        #expect(await harness.send("b AUTHENTICATE PLAIN") == "b NO [PRIVACYREQUIRED] AUTHENTICATE PLAIN needs TLS\r\n")
        #expect(harness.session.state == .notAuthenticated)
        // After STARTTLS the same credentials are accepted.
        #expect(await harness.send("c STARTTLS") == "c OK Begin TLS negotiation now\r\n")
        #expect(harness.startedTLS)
        let capability = await harness.send("d CAPABILITY")
        #expect(!capability.contains("STARTTLS") && capability.contains("AUTH=PLAIN"))
        #expect(await harness.send("e LOGIN alice secret").hasPrefix("e OK [CAPABILITY"))
    }

    @Test func wrongPasswordGetsAuthenticationFailedAndThreeFailuresClose() async {
        var harness = IMAPSessionHarness()
        _ = await harness.connect()
        #expect(await harness.send("a LOGIN alice wrong") == "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
        _ = await harness.send("b LOGIN alice wrong")
        let third = await harness.send("c LOGIN alice wrong")
        #expect(third.hasSuffix("* BYE Too many failed logins\r\n"))
        #expect(harness.closed)
    }

    @Test func authenticatePlainWithInitialResponseAndWithContinuation() async {
        let token = Base64.encodeToString(SASLPlain.encode(SASLCredentials(username: "alice", password: "secret")))
        var first = IMAPSessionHarness()
        _ = await first.connect()
        #expect(await first.send("a AUTHENTICATE PLAIN \(token)").hasPrefix("a OK [CAPABILITY"))

        var second = IMAPSessionHarness()
        _ = await second.connect()
        #expect(await second.send("a AUTHENTICATE PLAIN") == "+ \r\n")
        #expect(await second.send(token).hasPrefix("a OK [CAPABILITY"))
        #expect(second.session.user == "alice")

        var cancelled = IMAPSessionHarness()
        _ = await cancelled.connect()
        _ = await cancelled.send("a AUTHENTICATE PLAIN")
        #expect(await cancelled.send("*") == "a BAD Authentication cancelled\r\n")
        #expect(await cancelled.send("b AUTHENTICATE CRAM-MD5").hasPrefix("b NO Unsupported"))
    }

    /// Each command in each state (RFC 3501 §3, §6).
    @Test func commandsOutsideTheirStateAreRefusedAndTheSessionGoesOn() async {
        var harness = IMAPSessionHarness()
        _ = await harness.connect()
        for command in ["SELECT INBOX", "LIST \"\" *", "FETCH 1 FLAGS", "NAMESPACE", "IDLE", "CLOSE"] {
            let answer = await harness.send("t \(command)")
            #expect(answer.hasPrefix("t BAD Please log in first"), "\(command): \(answer)")
        }
        #expect(await harness.send("n NOOP") == "n OK NOOP completed\r\n")
        #expect(await harness.send("i ID NIL") == "* ID (\"name\" \"imap.test\")\r\ni OK ID completed\r\n")
        _ = await harness.send("l LOGIN alice secret")
        #expect(await harness.send("x LOGIN alice secret") == "x BAD Already authenticated\r\n")
        #expect(await harness.send("x STARTTLS") == "x BAD Already authenticated\r\n")
        for command in ["FETCH 1 FLAGS", "STORE 1 +FLAGS \\Seen", "SEARCH ALL", "EXPUNGE", "CLOSE", "UNSELECT", "CHECK",
                        "COPY 1 Trash", "UID MOVE 1 Trash"] {
            let answer = await harness.send("t \(command)")
            #expect(answer.hasPrefix("t BAD ") && answer.contains("needs a selected mailbox"), "\(command): \(answer)")
        }
        #expect(await harness.send("ns NAMESPACE") == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nns OK NAMESPACE completed\r\n")
        #expect(await harness.send("o LOGOUT") == "* BYE imap.test logging out\r\no OK LOGOUT completed\r\n")
        #expect(harness.closed)
        #expect(harness.session.state == .logout)
    }

    @Test func enableOnlyBeforeSelectAndOnlyKnownExtensions() async {
        var harness = await loggedIn(selecting: nil)
        #expect(await harness.send("e ENABLE CONDSTORE X-UNKNOWN") == "* ENABLED CONDSTORE\r\ne OK ENABLE completed\r\n")
        #expect(await harness.send("e ENABLE CONDSTORE") == "* ENABLED\r\ne OK ENABLE completed\r\n")
        _ = await harness.send("s SELECT INBOX")
        #expect(await harness.send("e ENABLE UTF8=ACCEPT").hasPrefix("e BAD"))
    }

    @Test func selectReportsTheMailboxAndExamineIsReadOnly() async {
        var harness = await loggedIn(selecting: nil)
        let select = lines(await harness.send("s SELECT inbox"))
        #expect(select == [
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
            "* 3 EXISTS",
            "* 0 RECENT",
            "* OK [UNSEEN 1] First unseen",
            "* OK [UIDVALIDITY 100] UIDs valid",
            "* OK [UIDNEXT 4] Predicted next UID",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted",
            "* OK [HIGHESTMODSEQ 4] Highest",
            "s OK [READ-WRITE] SELECT completed",
        ])
        let examine = lines(await harness.send("e EXAMINE Sent"))
        #expect(examine.first == "* OK [CLOSED] Previous mailbox closed")
        #expect(examine.contains("* 0 EXISTS"))
        #expect(examine.contains("* OK [PERMANENTFLAGS ()] No permanent flags permitted"))
        #expect(examine.last == "e OK [READ-ONLY] EXAMINE completed")
        #expect(await harness.send("st STORE 1 +FLAGS \\Seen") == "st NO [READ-ONLY] Mailbox is read-only\r\n")
        let failed = lines(await harness.send("f SELECT Nowhere"))
        #expect(failed.last == "f NO [NONEXISTENT] Mailbox does not exist")
        #expect(harness.session.state == .authenticated)
    }

    /// RFC 3501 §6.3.1: a mailbox the backend keeps read-only is selected read-only by SELECT too.
    @Test func selectOfABackendReadOnlyMailboxBehavesAsExamine() async {
        let backend = MemoryIMAPBackend()
        backend.deliver(Samples.hello, to: "Sent")
        backend.state.withLock { $0.boxes["Sent"]?.readOnly = true }
        var harness = IMAPSessionHarness(backend: backend)
        await harness.login()
        let select = lines(await harness.send("s SELECT Sent"))
        #expect(select.contains("* OK [PERMANENTFLAGS ()] No permanent flags permitted"), "\(select)")
        #expect(select.last == "s OK [READ-ONLY] SELECT completed")
        _ = await harness.send("f FETCH 1 BODY[]")
        #expect(await harness.send("g FETCH 1 FLAGS").contains("FLAGS ()"))
        #expect(await harness.send("st STORE 1 +FLAGS \\Seen") == "st NO [READ-ONLY] Mailbox is read-only\r\n")
        #expect(await harness.send("x EXPUNGE") == "x NO [READ-ONLY] Mailbox is read-only\r\n")
    }

    @Test func selectUnderIMAP4rev2HasNoRecent() async {
        var harness = await loggedIn(selecting: nil)
        #expect(await harness.send("e ENABLE IMAP4rev2") == "* ENABLED IMAP4rev2\r\ne OK ENABLE completed\r\n")
        let select = await harness.send("s SELECT INBOX")
        #expect(!select.contains("RECENT") && !select.contains("UNSEEN"))
        #expect(await harness.send("f SEARCH UNSEEN").hasPrefix("* ESEARCH (TAG \"f\") ALL 1,3\r\n"))
    }

    @Test func createDeleteRenameSubscribeAndTheirRefusals() async {
        var harness = await loggedIn(selecting: nil)
        #expect(await harness.send("c CREATE Projects/Alpha") == "c OK CREATE completed\r\n")
        #expect(await harness.send("c CREATE Projects/Alpha") == "c NO [ALREADYEXISTS] Mailbox already exists\r\n")
        #expect(await harness.send("c CREATE inbox") == "c NO [ALREADYEXISTS] INBOX always exists\r\n")
        #expect(await harness.send("r RENAME Projects Work") == "r OK RENAME completed\r\n")
        #expect(await harness.send("d DELETE inbox") == "d NO [CANNOT] INBOX cannot be deleted\r\n")
        #expect(await harness.send("d DELETE Nowhere") == "d NO [NONEXISTENT] Mailbox does not exist\r\n")
        #expect(await harness.send("s SUBSCRIBE Work/Alpha") == "s OK SUBSCRIBE completed\r\n")
        let list = lines(await harness.send("l LIST \"\" \"*\""))
        #expect(list == [
            "* LIST (\\HasNoChildren) \"/\" INBOX",
            "* LIST (\\HasNoChildren) \"/\" Archive/2023",
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            "* LIST (\\HasChildren) \"/\" Work",
            "* LIST (\\HasNoChildren) \"/\" Work/Alpha",
            "l OK LIST completed",
        ])
        #expect(lines(await harness.send("u LSUB \"\" *")) == [
            "* LSUB () \"/\" INBOX", "* LSUB () \"/\" Work/Alpha", "u OK LSUB completed",
        ])
        #expect(await harness.send("u UNSUBSCRIBE Work/Alpha") == "u OK UNSUBSCRIBE completed\r\n")
    }

    @Test func listPatternsReferenceSpecialUseAndStatus() async {
        var harness = await loggedIn(selecting: nil)
        #expect(await harness.send("a LIST \"\" \"\"") == "* LIST (\\Noselect) \"/\" \"\"\r\na OK LIST completed\r\n")
        // "%" stops at the delimiter and shows the level without a mailbox as \Noselect.
        #expect(lines(await harness.send("b LIST \"\" %")) == [
            "* LIST (\\HasNoChildren) \"/\" INBOX",
            "* LIST (\\Noselect \\HasChildren) \"/\" Archive",
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            "b OK LIST completed",
        ])
        #expect(lines(await harness.send("c LIST Archive/ %")) == [
            "* LIST (\\HasNoChildren) \"/\" Archive/2023", "c OK LIST completed",
        ])
        #expect(lines(await harness.send("d LIST (SPECIAL-USE) \"\" *")) == [
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            "d OK LIST completed",
        ])
        #expect(lines(await harness.send("e LIST \"\" (INBOX Tr*) RETURN (SUBSCRIBED STATUS (MESSAGES UNSEEN))")) == [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
            "* STATUS INBOX (MESSAGES 3 UNSEEN 2)",
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            "* STATUS Trash (MESSAGES 0 UNSEEN 0)",
            "e OK LIST completed",
        ])
        #expect(await harness.send("f STATUS INBOX (UIDNEXT UIDVALIDITY HIGHESTMODSEQ SIZE DELETED RECENT)")
            == "* STATUS INBOX (UIDNEXT 4 UIDVALIDITY 100 HIGHESTMODSEQ 4 SIZE \(Samples.hello.utf8.count + Samples.bareLF.utf8.count + 6 + Samples.multipart.utf8.count) DELETED 0 RECENT 0)\r\nf OK STATUS completed\r\n")
        #expect(await harness.send("g STATUS Nowhere (MESSAGES)") == "g NO [NONEXISTENT] Mailbox does not exist\r\n")
    }

    @Test func appendReportsAppendUIDAndTryCreate() async {
        var harness = await loggedIn()
        let message = "Subject: appended\r\n\r\nhi\r\n"
        #expect(await harness.send("a APPEND INBOX (\\Seen) {\(message.utf8.count)}") == "+ Ready for literal data\r\n")
        // RFC 3501 §2.3.2: this session is the first told of what it appended, so it is recent here.
        #expect(lines(await harness.send(message)) == ["* 4 EXISTS", "* 1 RECENT", "a OK [APPENDUID 100 4] APPEND completed"])
        let appended = lines(await harness.send("b APPEND INBOX {\(message.utf8.count)+}\r\n\(message)"))
        // The selected mailbox learns of its new messages before the completion.
        #expect(appended == ["* 5 EXISTS", "* 2 RECENT", "b OK [APPENDUID 100 5] APPEND completed"])
        #expect(await harness.send("c APPEND Nowhere {3+}\r\nabc") == "c NO [TRYCREATE] Mailbox does not exist\r\n")
        #expect(harness.backend.flags(of: 4) == [.seen])
    }
}
