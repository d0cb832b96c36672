import MailMessage
import Testing
@testable import IMAPServer

/// ENVELOPE (RFC 3501 §7.4.2): raw header text, address structures, groups, defaults.
@Suite struct IMAPEnvelopeTests {
    private func envelope(_ header: String, utf8: Bool = false) -> String {
        text(IMAPEnvelope.encode(Message(parsing: bytes(header + "\r\nbody\r\n")), utf8Enabled: utf8))
    }

    @Test func rfcExample() {
        let header = """
            Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r
            From: Terry Gray <gray@cac.washington.edu>\r
            Subject: IMAP4rev1 WG mtg summary and minutes\r
            To: imap@cac.washington.edu\r
            cc: minutes@CNRI.Reston.VA.US,\r
             John Klensin <KLENSIN@MIT.EDU>\r
            Message-Id: <B27397-0100000@cac.washington.edu>\r

            """
        #expect(envelope(header) == "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
            + "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
            + "\"<B27397-0100000@cac.washington.edu>\")")
    }

    @Test func missingFieldsAreNILAndEncodedWordsStayEncoded() {
        let header = "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nFrom: =?ISO-8859-1?Q?J=F6rg?= <j@example.de>\r\n"
            + "Sender: \r\nIn-Reply-To: <a@b>\r\n"
        #expect(envelope(header) == "(NIL \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\" ((\"=?ISO-8859-1?Q?J=F6rg?=\" NIL \"j\" \"example.de\")) "
            + "((\"=?ISO-8859-1?Q?J=F6rg?=\" NIL \"j\" \"example.de\")) ((\"=?ISO-8859-1?Q?J=F6rg?=\" NIL \"j\" \"example.de\")) "
            + "NIL NIL NIL \"<a@b>\" NIL)")
        #expect(envelope("X-Nothing: here\r\n") == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)")
    }

    @Test func groupsQuotesRoutesAndComments() {
        let header = "From: \"Doe, Jane \\\"JD\\\"\" <jane@example.com>\r\n"
            + "To: Team: a@x.org, \"B\" <b@y.org>;, undisclosed-recipients:;\r\n"
            + "Cc: old@host.example (Old Style), <@relay.example,@r2.example:routed@dest.example>\r\n"
            + "Bcc: broken, \"quoted local\"@example.net\r\n"
        // A display name with quotes is sent as a literal (IMAPWriter.appendDisplayText).
        let doe = "({14}\r\nDoe, Jane \"JD\" NIL \"jane\" \"example.com\")"
        #expect(envelope(header) == "(NIL NIL (\(doe)) (\(doe)) (\(doe)) "
            + "((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"x.org\")(\"B\" NIL \"b\" \"y.org\")(NIL NIL NIL NIL)"
            + "(NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
            + "((\"Old Style\" NIL \"old\" \"host.example\")(NIL \"@relay.example,@r2.example\" \"routed\" \"dest.example\")) "
            + "((NIL NIL \"broken\" \"MISSING_DOMAIN\")(NIL NIL \"quoted local\" \"example.net\")) NIL NIL)")
    }

    @Test func eightBitBecomesALiteralUnlessUTF8IsEnabled() {
        let header = "Subject: Gr\u{00FC}\u{00DF}e\r\n"
        #expect(envelope(header) == "(NIL {7}\r\nGr\u{00FC}\u{00DF}e NIL NIL NIL NIL NIL NIL NIL NIL)")
        #expect(envelope(header, utf8: true) == "(NIL \"Gr\u{00FC}\u{00DF}e\" NIL NIL NIL NIL NIL NIL NIL NIL)")
    }

    @Test func foldedValuesAreUnfolded() {
        // Subject is text for people: the fold's tab becomes one space, so the value changed and
        // goes as a literal; Date keeps its tab (only the line break goes).
        #expect(envelope("Subject: a long\r\n\tsubject line\r\n")
            == "(NIL {19}\r\na long subject line NIL NIL NIL NIL NIL NIL NIL NIL)")
        #expect(envelope("Date: Wed, 17 Jul 1996\r\n\t02:23:25 -0700\r\n")
            == "(\"Wed, 17 Jul 1996\t02:23:25 -0700\" NIL NIL NIL NIL NIL NIL NIL NIL NIL)")
    }
}
