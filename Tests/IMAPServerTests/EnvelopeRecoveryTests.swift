import MailMessage
import Testing
@testable import IMAPServer

/// How ENVELOPE reads broken address fields and repeated fields, and which string form header
/// text takes (the rules `DovecotFixtureTests` checks on the whole corpus, here one at a time).
@Suite struct EnvelopeRecoveryTests {
    private func addresses(_ value: String) -> String {
        var writer = IMAPWriter()
        for address in EnvelopeAddress.parseList(Array(value.utf8)) ?? [] {
            writer.append("(")
            for (i, part) in [address.name, address.route, address.mailbox, address.host].enumerated() {
                if i > 0 { writer.append(" ") }
                writer.appendHeaderString(part)
            }
            writer.append(")")
        }
        return text(writer.bytes)
    }

    @Test func localPartsWithDoubleDotsAreKept() {
        #expect(addresses("m..love@enron.com, doe.@x.org") == "(NIL NIL \"m..love\" \"enron.com\")(NIL NIL \"doe.\" \"x.org\")")
    }

    /// Text after an address without a comma ends the list there.
    @Test func addressesWithoutCommaStopTheList() {
        #expect(addresses("Bob <bob@extern> Bobby <bobby@extern>") == "(\"Bob\" NIL \"bob\" \"extern\")")
    }

    @Test func wordsWithoutAddressBecomeAName() {
        #expect(addresses("Undisclosed recipients") == "(\"Undisclosed recipients\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")")
        #expect(addresses("broken") == "(NIL NIL \"broken\" \"MISSING_DOMAIN\")")
        #expect(addresses("Name <>") == "(\"Name\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")")
        #expect(addresses("Name <user@>") == "(\"Name\" NIL \"user\" \"SYNTAX_ERROR\")")
        #expect(addresses("   ") == "")
    }

    @Test func oldStyleCommentIsTheName() {
        #expect(addresses("user@host.example (Real Name)") == "(\"Real Name\" NIL \"user\" \"host.example\")")
    }

    /// Address fields collect every occurrence; the other fields take the last one.
    @Test func repeatedFields() {
        let message = Message(parsing: bytes(
            "Subject: first\r\nSubject: second\r\nTo: a@x.org\r\nTo: b@y.org\r\n\r\nbody\r\n"))
        #expect(text(IMAPEnvelope.encode(message))
            == "(NIL \"second\" NIL NIL NIL ((NIL NIL \"a\" \"x.org\")(NIL NIL \"b\" \"y.org\")) NIL NIL NIL NIL)")
    }

    /// Folding inside a Message-ID keeps the white space that followed the line break.
    @Test func foldedMessageIDKeepsItsLeadingSpace() {
        let message = Message(parsing: bytes("Message-ID:\r\n <a@b>\r\n\r\nbody\r\n"))
        #expect(text(IMAPEnvelope.encode(message)) == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL \" <a@b>\")")
    }

    @Test func stringForms() {
        var writer = IMAPWriter()
        writer.appendHeaderString(Array("a\"b\"c\"d\"".utf8))  // four quoted-specials: quoted
        writer.append(" ")
        writer.appendHeaderString(Array("a\"b\"c\"d\"e\"".utf8))  // five: a literal is shorter
        writer.append(" ")
        writer.appendDisplayText(Array("  two  words \t".utf8))
        writer.append(" ")
        writer.appendDisplayText(Array(" \t ".utf8))
        writer.append(" ")
        writer.appendUnfoldedString(Array("a\r\nb\r\n c".utf8))
        #expect(text(writer.bytes)
            == "\"a\\\"b\\\"c\\\"d\\\"\" {10}\r\na\"b\"c\"d\"e\" {9}\r\ntwo words \"\" \"a b c\"")
    }
}
