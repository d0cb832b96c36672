/// Quoted-printable content transfer decoding (RFC 2045 §6.7), tolerant per its note 1:
/// - "=" + two hex digits (either case) is the byte;
/// - "=" + optional white space + line break is a soft line break and disappears;
/// - any other "=" is kept literally (and reported);
/// - white space at the end of a line is transport padding and is removed (rule 3).
enum QuotedPrintableDecoder {
    static func decode(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], clean: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var clean = true
        var i = 0
        let n = input.count
        while i < n {
            let byte = input[i]
            if byte == UInt8(ascii: "=") {
                if let high = hexValue(input, i + 1), let low = hexValue(input, i + 2) {
                    out.append(high << 4 | low)
                    i += 3
                    continue
                }
                // Soft line break: "=" [WSP...] (CRLF | LF | end of data).
                var j = i + 1
                while j < n, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j == n {
                    i = j
                    continue
                }
                if input[j] == 0x0A {
                    i = j + 1
                    continue
                }
                if input[j] == 0x0D, j + 1 < n, input[j + 1] == 0x0A {
                    i = j + 2
                    continue
                }
                clean = false
                out.append(byte)
                i += 1
                continue
            }
            if byte == 0x20 || byte == 0x09 {
                // Drop white space that only pads the end of a line.
                var j = i
                while j < n, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j == n || input[j] == 0x0A || (input[j] == 0x0D && j + 1 < n && input[j + 1] == 0x0A) {
                    i = j
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                i = j
                continue
            }
            out.append(byte)
            i += 1
        }
        return (out, clean)
    }

    @inline(__always)
    static func hexValue(_ input: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt8? {
        guard index < input.count else { return nil }
        let byte = input[index]
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
