/// Splitting an mbox file into messages.
///
/// The mbox family has no RFC of its own; RFC 4155 §2 describes the common form: each message
/// begins with a "From " separator line at the start of the file or after an empty line, and
/// body lines that would look like a separator are escaped with ">".
/// - mboxo escapes "From " as ">From " (lossy: an original ">From " cannot be told apart).
/// - mboxrd escapes any run of ">" before "From " with one more ">" (reversible).
/// Unescaping one ">" from `>+From ` is exact for mboxrd and right for every escape mboxo made;
/// it is the default, and `.none` keeps the bytes as they stand in the file.
///
/// Invariants: the separator line and the one empty line that ends each message (the line that
/// stands before the next separator, or the last line of the file) are not part of the message;
/// every other byte is, in order.
/// A separator is recognised only at the start of the data or right after an empty line, so an
/// unescaped "From " inside a paragraph of a body never splits a message.
public struct MboxReader: Sequence, Sendable {
    public enum Unescaping: Sendable { case mboxrd, none }

    public struct Entry: Sendable {
        /// The separator line without its line end, e.g. `From alice@example.com Fri Jan 21 12:51:00 2000`.
        public var separator: [UInt8]
        /// The message bytes, unescaped.
        public var message: [UInt8]
        /// Byte offset of the separator line in the mbox data (for error messages).
        public var offset: Int
    }

    public let data: [UInt8]
    public let unescaping: Unescaping

    public init(data: [UInt8], unescaping: Unescaping = .mboxrd) {
        self.data = data
        self.unescaping = unescaping
    }

    /// True when the data starts like an mbox (a "From " line), the way `file(1)` and
    /// importers tell an mbox from a single message.
    public static func looksLikeMbox(_ data: some Collection<UInt8>) -> Bool {
        data.starts(with: Self.fromPrefix)
    }

    static let fromPrefix: [UInt8] = Array("From ".utf8)

    public func makeIterator() -> Iterator { Iterator(data: data, unescaping: unescaping) }

    public struct Iterator: IteratorProtocol {
        let data: [UInt8]
        let unescaping: Unescaping
        var position = 0

        init(data: [UInt8], unescaping: Unescaping) {
            self.data = data
            self.unescaping = unescaping
            // Leading empty lines before the first separator are not a message.
            while position < data.count, data[position] == 0x0A || data[position] == 0x0D { position += 1 }
        }

        public mutating func next() -> Entry? {
            guard position < data.count else { return nil }
            let start = position
            var separator: [UInt8] = []
            var bodyStart = start
            if isSeparator(at: start) {
                let end = lineEnd(from: start)
                separator = Array(data[start..<contentEnd(ofLineEndingAt: end, from: start)])
                bodyStart = end
            }
            // Find the next separator: a "From " line right after an empty line.
            var lineStart = bodyStart
            var previousLineStart = bodyStart
            var previousLineEmpty = false
            var messageEnd = data.count
            var next = data.count
            while lineStart < data.count {
                if previousLineEmpty, isSeparator(at: lineStart) {
                    next = lineStart
                    messageEnd = emptyLineStart(before: lineStart)
                    break
                }
                let end = lineEnd(from: lineStart)
                previousLineEmpty = contentEnd(ofLineEndingAt: end, from: lineStart) == lineStart
                previousLineStart = lineStart
                lineStart = end
            }
            // The last message ends with the same empty line that every writer appends after a
            // message (RFC 4155 §2); it is the mbox's, not the message's.
            if next == data.count, previousLineEmpty, previousLineStart > bodyStart { messageEnd = previousLineStart }
            position = next
            let raw = data[bodyStart..<Swift.max(bodyStart, messageEnd)]
            return Entry(separator: separator, message: unescape(raw), offset: start)
        }

        private func isSeparator(at index: Int) -> Bool {
            data.count - index >= 5 && data[index..<index + 5].elementsEqual(MboxReader.fromPrefix)
        }

        /// Index just past the line's LF (or the end of data).
        private func lineEnd(from index: Int) -> Int {
            var i = index
            while i < data.count, data[i] != 0x0A { i += 1 }
            return i < data.count ? i + 1 : i
        }

        /// End of a line's content: before its LF or CRLF.
        private func contentEnd(ofLineEndingAt end: Int, from start: Int) -> Int {
            var e = end
            if e > start, data[e - 1] == 0x0A { e -= 1 }
            if e > start, data[e - 1] == 0x0D { e -= 1 }
            return e
        }

        /// The start of the empty line that stands just before `separatorStart`.
        private func emptyLineStart(before separatorStart: Int) -> Int {
            var e = separatorStart
            if e > 0, data[e - 1] == 0x0A { e -= 1 }
            if e > 0, data[e - 1] == 0x0D { e -= 1 }
            return e
        }

        private func unescape(_ raw: ArraySlice<UInt8>) -> [UInt8] {
            guard unescaping == .mboxrd else { return Array(raw) }
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = raw.startIndex
            var atLineStart = true
            while i < raw.endIndex {
                if atLineStart, raw[i] == UInt8(ascii: ">") {
                    var j = i
                    while j < raw.endIndex, raw[j] == UInt8(ascii: ">") { j += 1 }
                    if raw.endIndex - j >= 5, raw[j..<j + 5].elementsEqual(MboxReader.fromPrefix) {
                        i += 1  // drop one ">" (RFC 4155 §2, mboxrd)
                    }
                }
                let byte = raw[i]
                out.append(byte)
                atLineStart = byte == 0x0A
                i += 1
            }
            return out
        }
    }
}
