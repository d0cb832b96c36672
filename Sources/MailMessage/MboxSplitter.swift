/// The mbox splitting rules of `MboxReader`, applied one line at a time so that a file or a pipe
/// can be split while it is read, holding one message in memory rather than the whole mbox.
///
/// Feed every line of the data in order, each with its line feed (the data's last line may lack
/// one), then call `finish()`. The rules (RFC 4155 §2, as `MboxReader` documents them):
/// - empty lines before the first message are not a message;
/// - a "From " line starts a message at the start of the data, and after that only where it
///   follows an empty line, so "From " inside a paragraph never splits;
/// - the empty line before a separator, and a last empty line at the end of the data, belong to
///   the mbox, not to the message (unless it is the message's only line).
public struct MboxSplitter: Sendable {
    public let unescaping: MboxReader.Unescaping
    /// Bytes fed so far: the offset of the next line.
    public private(set) var offset = 0
    private var started = false
    private var separator: [UInt8] = []
    private var separatorOffset = 0
    private var message: [UInt8] = []
    private var lastLineStart = 0
    private var lastLineEmpty = false

    public init(unescaping: MboxReader.Unescaping = .mboxrd) {
        self.unescaping = unescaping
    }

    /// Takes the next line; returns the message it completed, if it was the next one's separator.
    public mutating func feed(line: ArraySlice<UInt8>) -> MboxReader.Entry? {
        defer { offset += line.count }
        guard started else {
            if line.allSatisfy({ $0 == 0x0A || $0 == 0x0D }) { return nil }
            started = true
            begin(at: line)
            return nil
        }
        // A separator only after an empty line: the previous line was part of this message.
        if lastLineEmpty, Self.isSeparator(line) {
            let finished = entry(upTo: lastLineStart)
            begin(at: line)
            return finished
        }
        append(line)
        return nil
    }

    /// Ends the data; returns the last message, if there was one.
    public mutating func finish() -> MboxReader.Entry? {
        guard started else { return nil }
        started = false
        // The empty line every writer appends after a message is the mbox's (RFC 4155 §2).
        let end = lastLineEmpty && lastLineStart > 0 ? lastLineStart : message.count
        return entry(upTo: end)
    }

    /// True when the data starts like an mbox (a "From " line).
    static func isSeparator(_ line: some Collection<UInt8>) -> Bool {
        line.starts(with: MboxReader.fromPrefix)
    }

    /// Starts a message at `line`: its separator when it is a "From " line, else its first line
    /// (only the data's first message can lack a separator).
    private mutating func begin(at line: ArraySlice<UInt8>) {
        message.removeAll(keepingCapacity: true)
        lastLineStart = 0
        lastLineEmpty = false
        separatorOffset = offset
        if Self.isSeparator(line) {
            separator = Array(line[..<Self.contentEnd(of: line)])
        } else {
            separator = []
            append(line)
        }
    }

    private mutating func append(_ line: ArraySlice<UInt8>) {
        lastLineStart = message.count
        lastLineEmpty = Self.contentEnd(of: line) == line.startIndex
        message.append(contentsOf: line)
    }

    private func entry(upTo end: Int) -> MboxReader.Entry {
        MboxReader.Entry(separator: separator, message: Self.unescape(message[..<end], unescaping), offset: separatorOffset)
    }

    /// End of a line's content: before its LF or CRLF.
    static func contentEnd(of line: ArraySlice<UInt8>) -> Int {
        var end = line.endIndex
        if end > line.startIndex, line[end - 1] == 0x0A { end -= 1 }
        if end > line.startIndex, line[end - 1] == 0x0D { end -= 1 }
        return end
    }

    /// mboxrd: one ">" is dropped from every line that is ">"s followed by "From " (RFC 4155 §2).
    static func unescape(_ raw: ArraySlice<UInt8>, _ unescaping: MboxReader.Unescaping) -> [UInt8] {
        guard unescaping == .mboxrd else { return Array(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        var atLineStart = true
        while i < raw.endIndex {
            if atLineStart, raw[i] == UInt8(ascii: ">") {
                var j = i
                while j < raw.endIndex, raw[j] == UInt8(ascii: ">") { j += 1 }
                if raw[j...].starts(with: MboxReader.fromPrefix) { i += 1 }
            }
            let byte = raw[i]
            out.append(byte)
            atLineStart = byte == 0x0A
            i += 1
        }
        return out
    }
}
