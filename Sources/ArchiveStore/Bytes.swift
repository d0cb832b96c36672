import CZlib
import Crypto

/// Big-endian integer encoding for the segment and HEAD formats.
extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }
}

/// Reads big-endian fields from a byte collection; nil when the bytes run out.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    var remaining: Int { bytes.endIndex - index }

    mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { return nil }
        var value: T = 0
        for byte in bytes[index..<index + size] { value = value << 8 | T(byte) }
        index += size
        return value
    }

    mutating func read(count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { index += count }
        return bytes[index..<index + count]
    }
}

/// CRC-32 (ISO 3309, the one of gzip and zlib) via the system zlib.
func crc32Of(_ bytes: some Collection<UInt8>, startingWith seed: UInt32 = 0) -> UInt32 {
    let value = bytes.withContiguousStorageIfAvailable { buffer in
        CZlib.crc32(uLong(seed), buffer.baseAddress, uInt(buffer.count))
    } ?? Array(bytes).withUnsafeBufferPointer { CZlib.crc32(uLong(seed), $0.baseAddress, uInt($0.count)) }
    return UInt32(truncatingIfNeeded: value)
}

func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
    if let digest = bytes.withContiguousStorageIfAvailable({ SHA256.hash(data: UnsafeRawBufferPointer($0)) }) {
        return Array(digest)
    }
    return Array(SHA256.hash(data: Array(bytes)))
}

/// Hexadecimal, the text form of the archive's ids, chain values and keys (and of whatever other
/// modules print or record about them: an export's files and signature).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex (either case); nil for odd length or a non-hex character.
    public static func bytes(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
