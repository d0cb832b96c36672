/// Base64 content transfer decoding (RFC 2045 §6.8), tolerant as RFC 2045 asks of decoders:
/// bytes outside the alphabet (line breaks, white space, garbage) are ignored, decoding stops at
/// the first "=" pad, and a final group without its padding still yields its whole bytes.
enum Base64Decoder {
    /// 0–63 for alphabet bytes, 0xFE for "=", 0xFF for everything else.
    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        table[Int(UInt8(ascii: "="))] = 0xFE
        return table
    }()

    /// Decodes `input`; `clean` is false when bytes other than the alphabet, line breaks and
    /// trailing padding were skipped, or the last group was incomplete.
    static func decode(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], clean: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var clean = true
        var accumulator: UInt32 = 0
        var count = 0
        var index = 0
        var padded = false
        table.withUnsafeBufferPointer { table in
            while index < input.count {
                let byte = input[index]
                index += 1
                let value = table[Int(byte)]
                if value < 64 {
                    accumulator = accumulator << 6 | UInt32(value)
                    count += 1
                    if count == 4 {
                        out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                        out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                        out.append(UInt8(truncatingIfNeeded: accumulator))
                        accumulator = 0
                        count = 0
                    }
                } else if value == 0xFE {
                    padded = true
                    break  // padding ends the data
                } else if byte != 0x0A, byte != 0x0D, byte != 0x20, byte != 0x09 {
                    clean = false
                }
            }
        }
        // A last group of 2 or 3 characters carries 1 or 2 bytes; a lone character carries none.
        switch count {
        case 2:
            out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        case 1:
            clean = false
        default:
            break
        }
        if count != 0, !padded { clean = false }  // data ended without its padding
        return (out, clean)
    }
}
