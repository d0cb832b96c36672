import MailMessage
import Testing

/// RFC 4155 §2 splitting: separators only after an empty line, the empty line that ends each
/// message (also the last one) belongs to the mbox, mboxrd unescaping.
@Suite struct MboxReaderTests {
    private func split(_ text: String, _ unescaping: MboxReader.Unescaping = .mboxrd) -> [String] {
        MboxReader(data: Array(text.utf8), unescaping: unescaping).map { String(decoding: $0.message, as: UTF8.self) }
    }

    @Test func everyMessageLosesTheEmptyLineThatEndsIt() {
        let mbox = "From a@x Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody 1\n\nFrom b@x Mon Jan  1 00:00:00 2024\nSubject: two\n\nbody 2\n\n"
        #expect(split(mbox) == ["Subject: one\n\nbody 1\n", "Subject: two\n\nbody 2\n"])
    }

    @Test func aLastMessageWithoutTheEmptyLineIsKeptWhole() {
        let mbox = "From a@x Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody 1\n"
        #expect(split(mbox) == ["Subject: one\n\nbody 1\n"])
    }

    @Test func crlfMboxesSplitTheSameWay() {
        let mbox = "From a@x Mon Jan  1 00:00:00 2024\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom b@x Mon Jan  1 00:00:00 2024\r\nS: 2\r\n\r\nx\r\n\r\n"
        #expect(split(mbox) == ["Subject: one\r\n\r\nbody\r\n", "S: 2\r\n\r\nx\r\n"])
    }

    @Test func fromInsideAParagraphDoesNotSplit() {
        let mbox = "From a@x Mon Jan  1 00:00:00 2024\nS: 1\n\nline\nFrom here on\n\n"
        #expect(split(mbox) == ["S: 1\n\nline\nFrom here on\n"])
    }

    @Test func mboxrdUnescapesOneLevel() {
        let mbox = "From a@x Mon Jan  1 00:00:00 2024\nS: 1\n\n>From x\n>>From y\n\n"
        #expect(split(mbox) == ["S: 1\n\nFrom x\n>From y\n"])
        #expect(split(mbox, .none) == ["S: 1\n\n>From x\n>>From y\n"])
    }
}
