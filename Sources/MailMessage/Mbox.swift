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

    public static let fromPrefix: [UInt8] = Array("From ".utf8)

    public func makeIterator() -> Iterator { Iterator(data: data, unescaping: unescaping) }

    /// Feeds the data's lines to an `MboxSplitter`, which holds the rules.
    public struct Iterator: IteratorProtocol {
        let data: [UInt8]
        var splitter: MboxSplitter
        var position = 0
        var finished = false

        init(data: [UInt8], unescaping: Unescaping) {
            self.data = data
            self.splitter = MboxSplitter(unescaping: unescaping)
        }

        public mutating func next() -> Entry? {
            while position < data.count {
                var end = position
                while end < data.count, data[end] != 0x0A { end += 1 }
                if end < data.count { end += 1 }
                let line = data[position..<end]
                position = end
                if let entry = splitter.feed(line: line) { return entry }
            }
            guard !finished else { return nil }
            finished = true
            return splitter.finish()
        }
    }
}
