/// One header field as it stands in the raw message (RFC 5322 §2.2): a name, a colon and a
/// value that may be folded over several lines. Only offsets are kept; nothing is copied.
public struct HeaderField: Sendable {
    /// The field name as written (case preserved), without white space before the colon.
    public let name: String
    /// The whole field: from the first byte of the name to just past the LF of its last line
    /// (or to the end of the header, if the field is the last thing in the message).
    public let range: Range<Int>
    /// The value as written: just past the colon up to, not including, the line break that ends
    /// the field. Folding line breaks inside it are kept.
    public let valueRange: Range<Int>

    public init(name: String, range: Range<Int>, valueRange: Range<Int>) {
        self.name = name
        self.range = range
        self.valueRange = valueRange
    }

    /// The value unfolded (RFC 5322 §2.2.3: a line break followed by white space is removed, the
    /// white space stays), with leading and trailing white space removed.
    public func unfoldedValue(in raw: [UInt8]) -> [UInt8] {
        raw.withUnsafeBufferPointer { HeaderField.unfold($0, valueRange) }
    }

    static func unfold(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var lower = range.lowerBound
        var upper = min(range.upperBound, bytes.count)
        while lower < upper, HeaderField.isFoldingWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, HeaderField.isFoldingWhitespace(bytes[upper - 1]) { upper -= 1 }
        var out: [UInt8] = []
        out.reserveCapacity(upper - lower)
        var i = lower
        while i < upper {
            let byte = bytes[i]
            if byte == LineScan.lf || (byte == LineScan.cr && i + 1 < upper && bytes[i + 1] == LineScan.lf) {
                i += 1  // drop the CR and LF of a folding break; the following WSP is kept
                continue
            }
            out.append(byte)
            i += 1
        }
        return out
    }

    @inline(__always)
    static func isFoldingWhitespace(_ byte: UInt8) -> Bool {
        byte == LineScan.space || byte == LineScan.tab || byte == LineScan.cr || byte == LineScan.lf
    }
}
