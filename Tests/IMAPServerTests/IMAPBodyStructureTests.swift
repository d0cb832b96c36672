import MailMessage
import Testing
@testable import IMAPServer

/// A multipart/mixed message with a nested message/rfc822 holding a multipart/alternative.
let nestedMessage = Message(parsing: bytes("""
    From: a@example.com\r
    Subject: test\r
    MIME-Version: 1.0\r
    Content-Type: multipart/mixed; boundary="outer"\r
    \r
    preamble\r
    --outer\r
    Content-Type: text/plain; charset=UTF-8\r
    Content-Transfer-Encoding: quoted-printable\r
    \r
    Hello=20world\r
    line two\r
    --outer\r
    Content-Type: Message/RFC822\r
    Content-Disposition: attachment; filename="fwd.eml"\r
    \r
    From: b@example.org\r
    To: c@example.net\r
    Subject: inner\r
    Content-Type: multipart/alternative; boundary=inner\r
    \r
    --inner\r
    Content-Type: text/plain\r
    \r
    plain\r
    --inner\r
    Content-Type: text/html; charset="us-ascii"\r
    Content-Language: en, de\r
    \r
    <b>html</b>\r
    --inner--\r
    --outer\r
    Content-Type: application/octet-stream; name*0="long"; name*1="name.bin"; x-mode=1\r
    Content-Transfer-Encoding: base64\r
    Content-ID: <id1@x>\r
    Content-Description: some bytes\r
    Content-Location: http://x/y\r
    Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r
    \r
    AAEC\r
    --outer--\r
    epilogue\r

    """))

/// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2).
@Suite struct IMAPBodyStructureTests {
    @Test func singlePartDefaults() {
        let message = Message(parsing: bytes("Subject: x\r\n\r\nhello\r\nworld\r\n"))
        #expect(text(IMAPBodyStructure.encode(message, extensible: false))
            == "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2)")
        #expect(text(IMAPBodyStructure.encode(message, extensible: true))
            == "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2 NIL NIL NIL NIL)")
    }

    /// Lines are line ends (RFC 5322 §2.1): a last line without a line break is not counted.
    @Test func writtenCaseAndParametersAreKept() {
        let message = Message(parsing: bytes(
            "Content-Type: Text/HTML; Format=flowed; CHARSET=\"ISO-8859-1\" (comment)\r\nContent-Transfer-Encoding: 8BIT\r\n\r\nx"))
        #expect(text(IMAPBodyStructure.encode(message, extensible: false))
            == "(\"Text\" \"HTML\" (\"Format\" \"flowed\" \"CHARSET\" \"ISO-8859-1\") NIL NIL \"8BIT\" 1 0)")
    }

    @Test func nestedMultipartWithMessage() {
        let inner = "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL)"
            + "(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0 NIL NIL (\"en\" \"de\") NIL)"
            + " \"alternative\" (\"boundary\" \"inner\") NIL NIL NIL)"
        let innerEnvelope = "(NIL \"inner\" ((NIL NIL \"b\" \"example.org\")) ((NIL NIL \"b\" \"example.org\")) "
            + "((NIL NIL \"b\" \"example.org\")) ((NIL NIL \"c\" \"example.net\")) NIL NIL NIL NIL)"
        let expected = "((\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"quoted-printable\" 23 1 NIL NIL NIL NIL)"
            + "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 259 \(innerEnvelope) \(inner) 14 NIL (\"attachment\" (\"filename\" \"fwd.eml\")) NIL NIL)"
            + "(\"application\" \"octet-stream\" (\"x-mode\" \"1\" \"name\" \"longname.bin\") \"<id1@x>\" \"some bytes\" \"base64\" 4"
            + " \"Q2hlY2sgSW50ZWdyaXR5IQ==\" NIL NIL \"http://x/y\")"
            + " \"mixed\" (\"boundary\" \"outer\") NIL NIL NIL)"
        #expect(text(IMAPBodyStructure.encode(nestedMessage, extensible: true)) == expected)
    }

    @Test func nonExtensibleBodyOmitsExtensionData() {
        let body = text(IMAPBodyStructure.encode(nestedMessage, extensible: false))
        #expect(body.hasSuffix(" \"mixed\")"))
        #expect(!body.contains("attachment"))
        #expect(body.contains("\"alternative\") 14)"))
    }

    @Test func rfc2231ExtendedParametersAreJoined() {
        let message = Message(parsing: bytes(
            "Content-Type: application/pdf; name*0*=utf-8''%E2%82%AC; name*1*=%20rates.pdf\r\n"
            + "Content-Disposition: inline; filename*=utf-8''%E2%82%AC.pdf\r\n\r\nx"))
        #expect(text(IMAPBodyStructure.encode(message, extensible: true))
            == "(\"application\" \"pdf\" (\"name*\" \"utf-8''%E2%82%AC%20rates.pdf\") NIL NIL \"7bit\" 1 NIL"
            + " (\"inline\" (\"filename*\" \"utf-8''%E2%82%AC.pdf\")) NIL NIL)")
    }

    /// A non-multipart text/plain us-ascii 7bit message with nothing else said is shown in
    /// canonical form; any other parameter or field keeps the written form.
    @Test func plainSevenBitTextIsCanonical() {
        let plain = Message(parsing: bytes("MIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\na\r\n"))
        #expect(text(IMAPBodyStructure.encode(plain, extensible: false))
            == "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1)")
        let flowed = Message(parsing: bytes(
            "MIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII; format=flowed\r\n\r\na\r\n"))
        #expect(text(IMAPBodyStructure.encode(flowed, extensible: false))
            == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"format\" \"flowed\") NIL NIL \"7bit\" 3 1)")
    }

    /// RFC 2045 §4: without MIME-Version or Content-Type, Content-* fields say nothing.
    @Test func contentFieldsOfANonMIMEMessageAreIgnored() {
        let message = Message(parsing: bytes("Content-Transfer-Encoding: base64\r\nContent-ID: <x@y>\r\n\r\naGk=\r\n"))
        #expect(text(IMAPBodyStructure.encode(message, extensible: true))
            == "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 NIL NIL NIL NIL)")
    }

    /// A Content-Type with text after the subtype keeps nothing; a Transfer-Encoding of two
    /// words is ignored; the first Content-ID counts.
    @Test func brokenContentFields() {
        let message = Message(parsing: bytes("MIME-Version: 1.0\r\nContent-Type: application/pdf name=\"a.pdf\"\r\n"
            + "Content-Transfer-Encoding: quoted printable\r\nContent-ID: <1@x>\r\nContent-ID: <2@x>\r\n\r\nx"))
        #expect(text(IMAPBodyStructure.encode(message, extensible: false))
            == "(\"\" \"\" NIL \"<1@x>\" NIL \"7bit\" 1)")
    }

    /// RFC 2231 §3: sections with a gap are listed as written; a lone `name*` is extended.
    @Test func rfc2231SectionsWithAGapStaySeparate() {
        let message = Message(parsing: bytes(
            "MIME-Version: 1.0\r\nContent-Type: application/x; a*0=one; a*2=three; b*=us-ascii''x%25\r\n\r\nx"))
        #expect(text(IMAPBodyStructure.encode(message, extensible: false))
            == "(\"application\" \"x\" (\"a*0\" \"one\" \"a*2\" \"three\" \"b*\" \"us-ascii''x%25\") NIL NIL \"7bit\" 1)")
    }
}

/// Encapsulated messages nested past `MIMELimits.nestingDepth`: the parser stops descending,
/// and BODYSTRUCTURE must not parse the rest again (once it did, level after level, until the
/// stack ran out at about 10,000 levels and the server died with SIGSEGV).
@Suite struct IMAPBodyStructureNestingTests {
    static func nested(_ depth: Int, encoding: String? = nil) -> Message {
        var text = "From: a@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
        let field = "Content-Type: message/rfc822\r\n" + (encoding.map { "Content-Transfer-Encoding: \($0)\r\n" } ?? "")
        text += String(repeating: field + "\r\n", count: depth)
        text += "Subject: innermost\r\n\r\nleaf\r\n"
        return Message(parsing: Array(text.utf8))
    }

    /// The deepest level of parentheses in an IMAP answer (outside quoted strings).
    static func parenthesisDepth(_ bytes: [UInt8]) -> Int {
        var depth = 0, deepest = 0, quoted = false, escaped = false
        for byte in bytes {
            if quoted {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { quoted = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): quoted = true
            case UInt8(ascii: "("): depth += 1; deepest = max(deepest, depth)
            case UInt8(ascii: ")"): depth -= 1
            default: break
            }
        }
        return depth == 0 ? deepest : -1
    }

    @Test(arguments: [100, 10_000, 100_000])
    func deepEncapsulationIsCutAtTheParsersBound(depth: Int) {
        let message = Self.nested(depth)
        #expect(message.problems.contains { $0.kind == .nestingTooDeep })
        for extensible in [true, false] {
            let answer = IMAPBodyStructure.encode(message, extensible: extensible)
            let levels = Self.parenthesisDepth(answer)
            // Each encapsulation level opens a body and an envelope's address lists sit one
            // deeper; the cut adds an envelope of NILs and an empty body.
            #expect(levels > 0 && levels <= 2 * IMAPBodyStructure.nestingDepth + 4, "\(levels) levels")
            let text = String(decoding: answer, as: UTF8.self)
            #expect(text.contains("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\""))
        }
    }

    /// A message/rfc822 part whose body is not parsed because of its transfer encoding is read
    /// as it stands, with only the depth that is left: a chain of them stays bounded too.
    @Test func encodedEncapsulationsShareTheBound() {
        let message = Self.nested(5_000, encoding: "quoted-printable")
        let answer = IMAPBodyStructure.encode(message, extensible: true)
        let levels = Self.parenthesisDepth(answer)
        #expect(levels > 0 && levels <= 2 * IMAPBodyStructure.nestingDepth + 4, "\(levels) levels")
    }

    /// Below the bound nothing changes: a forwarded message shows its own envelope and body.
    @Test func shallowEncapsulationIsUnchanged() {
        let answer = String(decoding: IMAPBodyStructure.encode(Self.nested(3), extensible: false), as: UTF8.self)
        #expect(answer.contains("(NIL \"innermost\" NIL NIL NIL NIL NIL NIL NIL NIL)"))
        #expect(!answer.contains("\"7bit\" 0 0"), "no empty body stands in for the innermost message")
    }
}
