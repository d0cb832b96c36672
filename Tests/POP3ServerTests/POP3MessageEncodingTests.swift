import NIOCore
import POP3Server
import Testing

/// RFC 1939 §3 and §7: CRLF line ends, dot-stuffing, the terminator, TOP's header and n lines.
@Suite struct POP3MessageEncodingTests {
    private func encode(_ text: String, lines: Int? = nil) -> String {
        var buffer = ByteBuffer()
        POP3MessageEncoding.encode(Array(text.utf8), bodyLines: lines, into: &buffer)
        return String(buffer: buffer)
    }

    @Test func crlfMessageIsSentAsStoredWithDotStuffing() {
        let message = "Subject: x\r\n\r\nline one\r\n.hidden\r\n..two\r\n.\r\n"
        #expect(encode(message) == "Subject: x\r\n\r\nline one\r\n..hidden\r\n...two\r\n..\r\n.\r\n")
        #expect(POP3MessageEncoding.transmittedSize(of: Array(message.utf8)) == message.utf8.count)
    }

    @Test func bareLFBecomesCRLFAndAMissingFinalCRLFIsAdded() {
        let message = "\nSubject: x\n\nbody\r\nlast"
        let sent = "\r\nSubject: x\r\n\r\nbody\r\nlast\r\n"
        #expect(encode(message) == sent + ".\r\n")
        #expect(POP3MessageEncoding.transmittedSize(of: Array(message.utf8)) == sent.utf8.count)
        #expect(POP3MessageEncoding.transmittedSize(of: [UInt8]()) == 0)
        #expect(encode("") == ".\r\n")
    }

    @Test func topSendsTheHeaderTheBlankLineAndNLines() {
        let message = "A: 1\r\nB: 2\r\n\r\none\r\n.two\r\nthree\r\n"
        #expect(encode(message, lines: 0) == "A: 1\r\nB: 2\r\n\r\n.\r\n")
        #expect(encode(message, lines: 2) == "A: 1\r\nB: 2\r\n\r\none\r\n..two\r\n.\r\n")
        #expect(encode(message, lines: 99) == encode(message))
        // No body at all: the whole header.
        #expect(encode("A: 1\r\n", lines: 0) == "A: 1\r\n.\r\n")
    }
}
