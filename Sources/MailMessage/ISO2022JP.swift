/// ISO-2022-JP (RFC 1468) as Japanese mailers really send it: with the NEC and IBM extension rows
/// of CP50220/CP50221 ("№", circled digits) that strict ISO-2022-JP-2 decoders reject.
///
/// Invariant: only rewrites the 7-bit shift encoding into EUC-JP byte for byte (RFC 1468 §3 sets
/// map onto EUC-JP's code sets 0–3); the characters are then decoded by iconv's EUC-JP-MS, which
/// knows the extension rows. nil on anything that is not well-formed ISO-2022-JP.
enum ISO2022JP {
    private enum Mode { case ascii, jisX0208, halfwidthKatakana, jisX0212 }

    static func transcodeToEUCJP(_ bytes: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var mode = Mode.ascii
        var index = 0
        let escape: UInt8 = 0x1B
        while index < bytes.count {
            let byte = bytes[index]
            if byte == escape {
                // ESC ( B, ESC ( J: ASCII/Roman; ESC ( I: katakana; ESC $ @, ESC $ B: JIS X 0208;
                // ESC $ ( D: JIS X 0212 (RFC 2237).
                let rest = bytes[(index + 1)...]
                if rest.starts(with: [0x28, 0x42]) || rest.starts(with: [0x28, 0x4A]) {
                    mode = .ascii
                    index += 3
                } else if rest.starts(with: [0x28, 0x49]) {
                    mode = .halfwidthKatakana
                    index += 3
                } else if rest.starts(with: [0x24, 0x40]) || rest.starts(with: [0x24, 0x42]) {
                    mode = .jisX0208
                    index += 3
                } else if rest.starts(with: [0x24, 0x28, 0x44]) {
                    mode = .jisX0212
                    index += 4
                } else {
                    return nil
                }
                continue
            }
            if byte >= 0x80 { return nil }
            if byte == 0x0A || byte == 0x0D {
                // RFC 1468 §3: a line ends in ASCII; be lenient and reset.
                mode = .ascii
                output.append(byte)
                index += 1
                continue
            }
            switch mode {
            case .ascii:
                output.append(byte)
                index += 1
            case .halfwidthKatakana:
                guard (0x21...0x5F).contains(byte) else { return nil }
                output += [0x8E, byte | 0x80]
                index += 1
            case .jisX0208, .jisX0212:
                guard index + 1 < bytes.count, (0x21...0x7E).contains(byte), (0x21...0x7E).contains(bytes[index + 1])
                else { return nil }
                if mode == .jisX0212 { output.append(0x8F) }
                output += [byte | 0x80, bytes[index + 1] | 0x80]
                index += 2
            }
        }
        return output
    }
}
