/// Modified UTF-7, the mailbox name encoding of RFC 3501 §5.1.3 (RFC 2152 with changes):
/// printable US-ASCII (0x20–0x7E) stands for itself except "&", written "&-"; everything else
/// is UTF-16, base64-encoded with "," in place of "/", without padding, between "&" and "-".
public enum ModifiedUTF7 {
    public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A byte outside printable US-ASCII appears unencoded.
        case unencodedCharacter(offset: Int)
        /// "&" without a closing "-", a character outside the base64 alphabet, or leftover bits.
        case badBase64(offset: Int)
        /// A printable US-ASCII character was encoded; RFC 3501 §5.1.3 requires it to stand for itself.
        case needlesslyEncoded(offset: Int)
        /// A UTF-16 surrogate without its partner.
        case badSurrogate(offset: Int)

        public var description: String {
            switch self {
            case .unencodedCharacter(let offset): "non-ASCII byte at offset \(offset) is not modified UTF-7"
            case .badBase64(let offset): "invalid modified UTF-7 base64 at offset \(offset)"
            case .needlesslyEncoded(let offset): "printable ASCII encoded in modified UTF-7 at offset \(offset)"
            case .badSurrogate(let offset): "unpaired UTF-16 surrogate in modified UTF-7 at offset \(offset)"
            }
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)
    private static let ampersand = UInt8(ascii: "&")
    private static let dash = UInt8(ascii: "-")

    /// Encodes a Unicode name.
    public static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            out.append(ampersand)
            var bits: UInt32 = 0
            var count = 0
            for unit in pending {
                bits = (bits << 16) | UInt32(unit)
                count += 16
                while count >= 6 {
                    count -= 6
                    out.append(alphabet[Int((bits >> UInt32(count)) & 0x3F)])
                }
                bits &= (1 << UInt32(count)) - 1
            }
            if count > 0 { out.append(alphabet[Int((bits << UInt32(6 - count)) & 0x3F)]) }
            out.append(dash)
            pending.removeAll()
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value >= 0x20, value <= 0x7E {
                flush()
                out.append(UInt8(value))
                if UInt8(value) == ampersand { out.append(dash) }
            } else {
                pending.append(contentsOf: Array(String(scalar).utf16))
            }
        }
        flush()
        return out
    }

    /// Decodes a modified UTF-7 name, strictly.
    public static func decode(_ bytes: some Collection<UInt8>) throws(DecodingError) -> String {
        let bytes = Array(bytes)
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte >= 0x20, byte <= 0x7E else { throw .unencodedCharacter(offset: i) }
            guard byte == ampersand else {
                scalars.append(Unicode.Scalar(byte))
                i += 1
                continue
            }
            let start = i
            i += 1
            if i < bytes.count, bytes[i] == dash {
                scalars.append("&")
                i += 1
                continue
            }
            var bits: UInt32 = 0
            var count = 0
            var units: [UInt16] = []
            while true {
                guard i < bytes.count else { throw .badBase64(offset: start) }
                let c = bytes[i]
                i += 1
                if c == dash { break }
                guard let value = alphabet.firstIndex(of: c) else { throw .badBase64(offset: i - 1) }
                bits = (bits << 6) | UInt32(value)
                count += 6
                if count >= 16 {
                    count -= 16
                    units.append(UInt16((bits >> UInt32(count)) & 0xFFFF))
                    bits &= (1 << UInt32(count)) - 1
                }
            }
            // RFC 2152: leftover bits must be fewer than 6 and zero.
            guard !units.isEmpty, count < 6, bits == 0 else { throw .badBase64(offset: start) }
            var index = 0
            while index < units.count {
                let unit = units[index]
                if UTF16.isLeadSurrogate(unit) {
                    guard index + 1 < units.count, UTF16.isTrailSurrogate(units[index + 1]) else {
                        throw .badSurrogate(offset: start)
                    }
                    let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(units[index + 1]) - 0xDC00)
                    scalars.append(Unicode.Scalar(value)!)
                    index += 2
                } else {
                    guard !UTF16.isTrailSurrogate(unit), let scalar = Unicode.Scalar(unit) else {
                        throw .badSurrogate(offset: start)
                    }
                    if scalar.value >= 0x20, scalar.value <= 0x7E { throw .needlesslyEncoded(offset: start) }
                    scalars.append(scalar)
                    index += 1
                }
            }
        }
        return String(scalars)
    }
}
