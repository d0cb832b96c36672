import Testing
@testable import IMAPServer

/// Responses as bytes (RFC 3501 §7, §9).
@Suite struct IMAPResponseEncoderTests {
    private func encoded(_ response: IMAPResponse, utf8: Bool = false) -> String {
        text(IMAPResponseEncoder(utf8Enabled: utf8).encode(response))
    }

    @Test func statusResponses() {
        #expect(encoded(.tagged(tag: "a1", status: .ok, text: "LOGIN completed")) == "a1 OK LOGIN completed\r\n")
        #expect(encoded(.tagged(tag: "a2", status: .no, code: .tryCreate, text: "no such mailbox")) == "a2 NO [TRYCREATE] no such mailbox\r\n")
        #expect(encoded(.untaggedStatus(.ok, code: .uidValidity(3857529045), text: "UIDs valid")) == "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n")
        #expect(encoded(.untaggedStatus(.bye, text: "Logging out")) == "* BYE Logging out\r\n")
        #expect(encoded(.untaggedStatus(.preauth, text: "")) == "* PREAUTH done\r\n")
        #expect(encoded(.continuation("Ready")) == "+ Ready\r\n")
        #expect(encoded(.continuation("")) == "+ \r\n")
        #expect(encoded(.tagged(tag: "x", status: .bad, text: "two\r\nlines")) == "x BAD two  lines\r\n")
    }

    @Test(arguments: [
        (IMAPResponseCode.uidNext(4392), "[UIDNEXT 4392]"),
        (.permanentFlags([.deleted, .seen, .keyword("$Junk"), .wildcard]), "[PERMANENTFLAGS (\\Deleted \\Seen $Junk \\*)]"),
        (.appendUID(uidValidity: 38505, uids: .ranges([SequenceRange(single: .number(3955))])), "[APPENDUID 38505 3955]"),
        (.copyUID(uidValidity: 38505, source: SequenceSet([304, 319, 320, 321]), destination: SequenceSet([3956, 3957, 3958, 3959])),
         "[COPYUID 38505 304,319:321 3956:3959]"),
        (.highestModSeq(715194045007), "[HIGHESTMODSEQ 715194045007]"), (.readWrite, "[READ-WRITE]"),
        (.readOnly, "[READ-ONLY]"), (.tooBig, "[TOOBIG]"), (.noModSeq, "[NOMODSEQ]"),
        (.modified(SequenceSet([7, 9])), "[MODIFIED 7,9]"),
        (.capability(["IMAP4rev1", "IDLE"]), "[CAPABILITY IMAP4rev1 IDLE]"),
        (.badCharset(["UTF-8", "US-ASCII"]), "[BADCHARSET (UTF-8 US-ASCII)]"),
        (.other("X-THING", "why ]not"), "[X-THING why not]"),
    ])
    func responseCodes(code: IMAPResponseCode, written: String) {
        #expect(encoded(.tagged(tag: "t", status: .ok, code: code, text: "x")) == "t OK \(written) x\r\n")
    }

    @Test func stringForms() {
        var writer = IMAPWriter()
        writer.appendAString(bytes("INBOX"))
        writer.append(" ")
        writer.appendAString(bytes("Sent Items"))
        writer.append(" ")
        writer.appendAString(bytes("nil"))
        writer.append(" ")
        writer.appendAString(bytes(""))
        writer.append(" ")
        writer.appendString(bytes("say \"hi\" \\o/"))
        writer.append(" ")
        writer.appendString(bytes("two\r\nlines"))
        writer.append(" ")
        writer.appendString(bytes("caf\u{00E9}"))
        writer.append(" ")
        writer.appendNString(nil as [UInt8]?)
        #expect(text(writer.bytes) == "INBOX \"Sent Items\" \"nil\" \"\" \"say \\\"hi\\\" \\\\o/\" {10}\r\ntwo\r\nlines {5}\r\ncaf\u{00E9} NIL")
        var utf8 = IMAPWriter(utf8Enabled: true)
        utf8.appendString(bytes("caf\u{00E9}"))
        utf8.append(" ")
        utf8.appendString([0x63, 0xE9])  // not UTF-8: still a literal
        #expect(utf8.bytes == bytes("\"caf\u{00E9}\" {2}\r\n") + [0x63, 0xE9])
    }

    @Test func mailboxData() {
        #expect(encoded(.data(.flags([.answered, .flagged, .deleted, .seen, .draft]))) == "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n")
        #expect(encoded(.data(.exists(172))) == "* 172 EXISTS\r\n")
        #expect(encoded(.data(.recent(1))) == "* 1 RECENT\r\n")
        #expect(encoded(.data(.expunge(44))) == "* 44 EXPUNGE\r\n")
        #expect(encoded(.data(.capability(["IMAP4rev1", "IMAP4rev2", "LITERAL+"]))) == "* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+\r\n")
        #expect(encoded(.data(.enabled(["CONDSTORE"]))) == "* ENABLED CONDSTORE\r\n")
        #expect(encoded(.data(.search([2, 84, 882], modSeq: nil))) == "* SEARCH 2 84 882\r\n")
        #expect(encoded(.data(.search([], modSeq: nil))) == "* SEARCH\r\n")
        #expect(encoded(.data(.search([2, 5], modSeq: 917162500))) == "* SEARCH 2 5 (MODSEQ 917162500)\r\n")
        #expect(encoded(.data(.id([IDParameter(field: "name", value: "Tresor"), IDParameter(field: "os", value: nil)]))) == "* ID (\"name\" \"Tresor\" \"os\" NIL)\r\n")
        #expect(encoded(.data(.id(nil))) == "* ID NIL\r\n")
        #expect(encoded(.data(.namespace(personal: [IMAPNamespace(prefix: "")], otherUsers: nil, shared: nil)))
            == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
        #expect(encoded(.data(.status(mailbox("Entw\u{00FC}rfe"), [IMAPStatusValue(.messages, 231), IMAPStatusValue(.uidNext, 44292)])))
            == "* STATUS Entw&APw-rfe (MESSAGES 231 UIDNEXT 44292)\r\n")
        #expect(encoded(.data(.status(mailbox("Sent Items"), [IMAPStatusValue(.highestModSeq, 7)])), utf8: true)
            == "* STATUS \"Sent Items\" (HIGHESTMODSEQ 7)\r\n")
    }

    @Test func listResponses() {
        #expect(encoded(.data(.list(IMAPListItem(attributes: ["\\HasNoChildren", "\\Sent"], name: mailbox("Sent")))))
            == "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n")
        #expect(encoded(.data(.list(IMAPListItem(attributes: [], name: mailbox("~peter/mail/\u{53F0}\u{5317}/\u{65E5}\u{672C}\u{8A9E}")))))
            == "* LIST () \"/\" ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n")
        #expect(encoded(.data(.list(IMAPListItem(attributes: [], name: mailbox("\u{65E5}\u{672C}")))), utf8: true)
            == "* LIST () \"/\" \"\u{65E5}\u{672C}\"\r\n")
        #expect(encoded(.data(.lsub(IMAPListItem(attributes: ["\\Noselect"], delimiter: nil, name: mailbox("Foo")))))
            == "* LSUB (\\Noselect) NIL Foo\r\n")
        #expect(encoded(.data(.list(IMAPListItem(attributes: ["\\NonExistent"], name: mailbox("Foo"), childInfo: ["SUBSCRIBED"]))))
            == "* LIST (\\NonExistent) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n")
    }

    @Test func esearch() {
        #expect(encoded(.data(.esearch(IMAPESearchResponse(tag: "A282", uid: false, min: 2, max: 47, count: 3))))
            == "* ESEARCH (TAG \"A282\") MIN 2 MAX 47 COUNT 3\r\n")
        #expect(encoded(.data(.esearch(IMAPESearchResponse(tag: "A283", uid: true, all: SequenceSet([2, 10, 11, 12]), modSeq: 9)))
        ) == "* ESEARCH (TAG \"A283\") UID ALL 2,10:12 MODSEQ 9\r\n")
        #expect(encoded(.data(.esearch(IMAPESearchResponse(tag: "A284", uid: false)))) == "* ESEARCH (TAG \"A284\")\r\n")
    }

    @Test func fetchResponses() {
        let date = IMAPDateTime(text: bytes("17-Jul-1996 02:44:25 -0700"))!
        let response = IMAPResponse.data(.fetch(12, [
            .uid(4827313), .flags([.seen]), .internalDate(date), .rfc822Size(4286), .modSeq(12121231000),
            .bodySection(IMAPSection(kind: .headerFields(["From"])), data: bytes("From: a@b\r\n\r\n")),
            .bodySection(IMAPSection(), origin: 0, data: bytes("abc")),
            .bodySection(IMAPSection(part: [9]), data: nil),
        ]))
        #expect(encoded(response) == "* 12 FETCH (UID 4827313 FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
            + "RFC822.SIZE 4286 MODSEQ (12121231000) BODY[HEADER.FIELDS (From)] {13}\r\nFrom: a@b\r\n\r\n "
            + "BODY[]<0> {3}\r\nabc BODY[9] NIL)\r\n")
        let binary = IMAPResponse.data(.fetch(1, [.binary(part: [1], data: [0, 1]), .binarySize(part: [1], size: 2),
                                                  .bodyStructure(bytes("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)"), extensible: false)]))
        #expect(IMAPResponseEncoder().encode(binary) == bytes("* 1 FETCH (BINARY[1] ~{2}\r\n") + [0, 1]
            + bytes(" BINARY.SIZE[1] 2 BODY (\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0))\r\n"))
    }

    @Test func errorsBecomeResponses() {
        #expect(encoded(IMAPResponse(IMAPCommandError(tag: "a", text: "unknown command"))) == "a BAD unknown command\r\n")
        #expect(encoded(IMAPResponse(IMAPCommandError(tag: nil, text: "invalid tag"))) == "* BAD invalid tag\r\n")
        #expect(encoded(IMAPResponse(IMAPCommandError(tag: "b", status: .no, code: .tooBig, text: "literal too large")))
            == "b NO [TOOBIG] literal too large\r\n")
    }
}
