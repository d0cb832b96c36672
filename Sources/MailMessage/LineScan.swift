#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Line arithmetic over raw message bytes. A line ends at LF; a CR right before that LF belongs
/// to the line end, so LF-only and CRLF messages are handled alike (RFC 5322 §2.1 prescribes
/// CRLF, but stored mail is very often LF-only). A bare CR is an ordinary byte.
enum LineScan {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let hyphen: UInt8 = 0x2D
    static let colon: UInt8 = 0x3A

    /// Index of the first LF in `bytes[from..<to]`, or nil. Uses `memchr`, which is vectorised.
    @inline(__always)
    static func firstLF(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + from, Int32(lf), to - from) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Index just past the LF that ends the line starting at `start`, or `limit`.
    @inline(__always)
    static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int {
        if let index = firstLF(bytes, from: start, to: limit) { return index + 1 }
        return limit
    }

    /// End of a line's content: `end` without the trailing LF or CRLF (never before `start`).
    @inline(__always)
    static func contentEnd(_ bytes: UnsafeBufferPointer<UInt8>, lineStart start: Int, lineEnd end: Int) -> Int {
        var e = end
        if e > start, bytes[e - 1] == lf { e -= 1 }
        if e > start, bytes[e - 1] == cr { e -= 1 }
        return e
    }

    /// The position before the line break that precedes `lineStart`, not going below `floor`:
    /// RFC 2046 §5.1.1 makes the CRLF before a boundary delimiter part of the delimiter.
    @inline(__always)
    static func beforePrecedingLineBreak(_ bytes: UnsafeBufferPointer<UInt8>, lineStart: Int, floor: Int) -> Int {
        var e = lineStart
        if e > floor, bytes[e - 1] == lf { e -= 1 }
        if e > floor, bytes[e - 1] == cr { e -= 1 }
        return e
    }

    /// Number of lines in `bytes[range]`: LFs, plus one for a last line without LF.
    static func countLines(_ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        var count = 0
        var position = range.lowerBound
        while let index = firstLF(bytes, from: position, to: range.upperBound) {
            count += 1
            position = index + 1
        }
        return position < range.upperBound ? count + 1 : count
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// ASCII case-insensitive comparison of a field name (as bytes) with a name we look for.
    static func equalsIgnoringASCIICase(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (0x41...0x5A).contains(x) ? x | 0x20 : x
            let ly = (0x41...0x5A).contains(y) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
