import NIOCore
import SMTPServer
import Testing

@Suite struct SMTPDataDecoderTests {
    private func decode(_ input: String, limit: Int = 1000, chunk: Int) -> (SMTPDataDecoder.Outcome?, String, String) {
        var decoder = SMTPDataDecoder(limit: limit)
        var message: [UInt8] = []
        let bytes = Array(input.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(index + chunk, bytes.count)
            var buffer = ByteBuffer(bytes: bytes[index..<end])
            index = end
            if let outcome = decoder.consume(&buffer, into: &message) {
                let rest = String(buffer: buffer) + String(decoding: bytes[index...], as: UTF8.self)
                return (outcome, String(decoding: message, as: UTF8.self), rest)
            }
        }
        return (nil, String(decoding: message, as: UTF8.self), "")
    }

    @Test(arguments: [1, 2, 3, 5, 1000])
    func endsAtCRLFDotCRLFAndKeepsWhatFollows(chunk: Int) {
        let (outcome, message, rest) = decode("Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n", chunk: chunk)
        #expect(outcome == .complete(size: 20))
        #expect(message == "Subject: x\r\n\r\nbody\r\n")
        #expect(rest == "QUIT\r\n")
    }

    @Test(arguments: [1, 3, 1000])
    func dotStuffingIsUndone(chunk: Int) {
        let (outcome, message, _) = decode("..hidden\r\n...\r\na.b\r\n.\r\n", chunk: chunk)
        #expect(message == ".hidden\r\n..\r\na.b\r\n")
        #expect(outcome == .complete(size: message.utf8.count))
    }

    @Test func emptyMessage() {
        #expect(decode(".\r\n", chunk: 10).0 == .complete(size: 0))
    }

    @Test(arguments: ["a\n.\n", "a\r\n.\n", "a\n.\r\n", "a\rb\r\n.\r\n", "a\r\n.\rX", "\n"])
    func bareLineEndingsStopTheMessage(_ input: String) {
        #expect(decode(input, chunk: 1).0 == .bareLineEnding)
        #expect(decode(input, chunk: 100).0 == .bareLineEnding)
    }

    @Test func smugglingAttemptIsNotTakenAsTheEnd() {
        // "\n.\r\n" must not end the message (CVE-2023-51764).
        #expect(decode("x\r\n\n.\r\nMAIL FROM:<evil@x>\r\n", chunk: 100).0 == .bareLineEnding)
    }

    @Test func nulAndEightBitBytesPassThrough() {
        var decoder = SMTPDataDecoder(limit: 100)
        var message: [UInt8] = []
        var input = ByteBuffer(bytes: [0x61, 0x00, 0xFF, 0x0D, 0x0A, 0x2E, 0x0D, 0x0A])
        #expect(decoder.consume(&input, into: &message) == .complete(size: 5))
        #expect(message == [0x61, 0x00, 0xFF, 0x0D, 0x0A])
    }

    @Test func oversizeIsReadToTheEndButNotKept() {
        let body = String(repeating: "0123456789\r\n", count: 100)
        let (outcome, message, rest) = decode(body + ".\r\nNOOP\r\n", limit: 100, chunk: 7)
        #expect(outcome == .tooLarge(size: 1200))
        #expect(message.utf8.count <= 100)
        #expect(rest == "NOOP\r\n")
    }

    @Test func missingFinalDotNeedsMoreData() {
        #expect(decode("hello\r\nworld\r\n", chunk: 3).0 == nil)
    }
}
