/// RFC 2047 encoded words ("=?charset?B?…?=" and "=?charset?Q?…?="), in unstructured text such
/// as Subject and in phrases such as display names.
///
/// Like Python's `email` package (policy `default`), and unlike the letter of RFC 2047 §5, an
/// encoded word is recognised anywhere it starts, even inside an atom or a quoted string, and may
/// contain white space; real mailers produce both. Anything that does not parse as an encoded word
/// stays as it is.
public enum EncodedWords {
    /// Decodes an unfolded header value.
    /// - Encoded words are decoded; the white space between two adjacent encoded words is dropped
    ///   (RFC 2047 §6.2); adjacent words in the same charset are joined before charset decoding, so a
    ///   multi-byte character split across two words survives.
    /// - Raw 8-bit bytes are read as UTF-8 (RFC 6532 §3.2), else in `fallbackCharset` if given
    ///   (for example the charset of the text body: old mailers wrote raw GB2312 or KOI8-R headers),
    ///   else as Windows-1252.
    /// - The RFC 2231 §5 language suffix "charset*lang" is ignored.
    /// - CR and LF left from folding are removed (RFC 5322 §2.2.3 unfolding).
    public static func decode(_ value: some Collection<UInt8>, fallbackCharset: String? = nil) -> String {
        let bytes = Array(value).filter { $0 != 0x0D && $0 != 0x0A }
        guard bytes.contains(UInt8(ascii: "=")) else { return decodeRaw(bytes[...], fallbackCharset: fallbackCharset) }
        var output = ""
        var literalStart = 0  // start of the pending raw text
        var index = 0
        // The encoded words seen since the last raw text, to join bytes of one charset.
        var pendingCharset: String? = nil
        var pendingBytes: [UInt8] = []
        var lastWordEnd: Int? = nil

        func flushPending() {
            if let charset = pendingCharset {
                output += Charsets.decodeLossy(pendingBytes, charset: charset)
            }
            pendingCharset = nil
            pendingBytes = []
        }

        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?"),
                let word = EncodedWord(bytes, at: index)
            else {
                index += 1
                continue
            }
            // Text between the previous word (or the start) and this word.
            let between = bytes[literalStart..<index]
            let onlyWhitespace = between.allSatisfy { $0 == 0x20 || $0 == 0x09 }
            if lastWordEnd != nil, onlyWhitespace {
                // RFC 2047 §6.2: white space between adjacent encoded words is not displayed.
            } else {
                flushPending()
                output += decodeRaw(between, fallbackCharset: fallbackCharset)
            }
            let charset = word.charset.lowercased()
            if pendingCharset != charset {
                flushPending()
                pendingCharset = charset
            }
            pendingBytes += word.decodedBytes
            index = word.end
            literalStart = index
            lastWordEnd = index
        }
        flushPending()
        output += decodeRaw(bytes[literalStart...], fallbackCharset: fallbackCharset)
        return output
    }

    /// Raw header text: ASCII as is; 8-bit bytes as UTF-8 (RFC 6532), else in the fallback
    /// charset, else Windows-1252.
    static func decodeRaw(_ bytes: ArraySlice<UInt8>, fallbackCharset: String? = nil) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return Charsets.decodeLossy(bytes, charset: fallbackCharset)
    }
}

/// One encoded word (RFC 2047 §2):
// encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
// charset      = token [ "*" language ]        ; RFC 2231 §5
struct EncodedWord {
    var charset: String
    var decodedBytes: [UInt8]
    /// Index just past the closing "?=".
    var end: Int

    /// Parses the word starting at `start` (where "=?" is), or nil if it is not one.
    init?(_ bytes: [UInt8], at start: Int) {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "?") {
            let byte = bytes[index]
            // A charset is a token: no white space, no specials that cannot occur in it.
            if byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "=") { return nil }
            index += 1
        }
        guard index < bytes.count, index > charsetStart, index - charsetStart <= 80 else { return nil }
        var label = bytes[charsetStart..<index]
        if let star = label.firstIndex(of: UInt8(ascii: "*")) { label = label[..<star] }  // RFC 2231 §5
        guard !label.isEmpty else { return nil }
        index += 1
        guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?") else { return nil }
        let encoding = bytes[index] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        index += 2
        let textStart = index
        // The text runs to the first "?="; a "?" before that makes the word malformed.
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "?") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "=") else { return nil }
                break
            }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let text = bytes[textStart..<index]
        charset = String(decoding: label, as: UTF8.self)
        decodedBytes = encoding == UInt8(ascii: "b") ? Base64Text.decode(text) : Self.decodeQ(text)
        end = index + 2
    }

    /// The "Q" encoding (RFC 2047 §4.2): "_" is space, "=XX" a byte; a malformed "=" stays as it is.
    static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                output.append(0x20)
            } else if byte == UInt8(ascii: "="), let high = Base64Text.hexValue(text[safe: index + 1]),
                let low = Base64Text.hexValue(text[safe: index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}

extension ArraySlice where Element == UInt8 {
    subscript(safe index: Int) -> UInt8? { index >= startIndex && index < endIndex ? self[index] : nil }
}

/// Base64 (RFC 2045 §6.8) as found in headers: characters outside the alphabet are skipped and
/// missing padding is tolerated (RFC 2047 §4.1 text, real mailers' truncations).
enum Base64Text {
    static func decode(_ text: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                // Padding ends the quantum; later characters start nothing new.
                bits = 0
                accumulator = 0
                continue
            default: continue
            }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return output
    }

    static func hexValue(_ byte: UInt8?) -> UInt8? {
        guard let byte else { return nil }
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
