import MailMessage
import Testing

/// Content-Transfer-Encoding decoding (RFC 2045 §6.7, §6.8), tolerant of what real mail holds.
@Suite struct TransferDecodingTests {
    func part(_ encoding: String, _ body: String) -> (Message, MIMEPart) {
        let message = Message(parsing: Array("Content-Transfer-Encoding: \(encoding)\n\n\(body)".utf8))
        return (message, message.root)
    }

    func decode(_ encoding: String, _ body: String) -> (String, [ParseProblem.Kind]) {
        let (message, part) = part(encoding, body)
        var problems: [ParseProblem] = []
        let bytes = part.decodedBody(in: message.raw, problems: &problems)
        return (String(decoding: bytes, as: UTF8.self), problems.map(\.kind))
    }

    @Test(arguments: [
        ("SGVsbG8=", "Hello", false),
        ("SGVs\r\nbG8=\r\n", "Hello", false),
        ("SGVsbG8", "Hello", true),  // padding missing
        ("SG Vs*bG8=", "Hello", true),  // garbage skipped
        ("SGVsbG8=trailing", "Hello", false),  // data after the pad is ignored
        ("", "", false),
        ("S", "", true),  // a lone character carries no byte
    ])
    func base64(_ input: String, _ expected: String, _ reported: Bool) {
        let (text, problems) = decode("BASE64", input)
        #expect(text == expected)
        #expect(problems == (reported ? [.invalidBase64] : []))
    }

    @Test(arguments: [
        ("Caf=C3=A9", "Café", false),
        ("caf=c3=a9", "café", false),  // lowercase hex
        ("soft=\nbreak", "softbreak", false),
        ("soft=\r\nbreak", "softbreak", false),
        ("soft=  \nbreak", "softbreak", false),  // white space after "=" (RFC 2045 §6.7 note)
        ("padded   \nline", "padded\nline", false),  // trailing white space is removed (rule 3)
        ("a=ZZb", "a=ZZb", true),  // bad escape kept
        ("end=", "end", false),
        ("1+1=2", "1+1=2", true),
    ])
    func quotedPrintable(_ input: String, _ expected: String, _ reported: Bool) {
        let (text, problems) = decode("Quoted-Printable", input)
        #expect(text == expected)
        #expect(problems == (reported ? [.invalidQuotedPrintable] : []))
    }

    @Test(arguments: ["7bit", "8bit", "binary", "x-unknown"])
    func identityEncodingsKeepTheBytes(_ encoding: String) {
        let (text, problems) = decode(encoding, "raw =41 bytes\n")
        #expect(text == "raw =41 bytes\n")
        #expect(problems.isEmpty)
    }

    @Test func encodingNameIsLowercasedWithoutComments() {
        let message = Message(parsing: Array("Content-Transfer-Encoding:  Base64 (yes)\n\nQQ==".utf8))
        #expect(message.root.transferEncoding == "base64")
        #expect(message.root.decodedBody(in: message.raw) == [0x41])
        #expect(Message(parsing: Array("Subject: x\n\nbody".utf8)).root.transferEncoding == "7bit")
    }
}
