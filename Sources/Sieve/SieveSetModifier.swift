/// A modifier of `set` (RFC 5229 §4.1; `:quoteregex` from draft-ietf-sieve-regex-01 §5,
/// `:encodeurl` from RFC 5435 §6).
public enum SieveSetModifier: String, Sendable, Hashable, CaseIterable {
    case lower, upper, lowerfirst, upperfirst, quotewildcard, quoteregex, encodeurl, length

    /// RFC 5229 §4.1: modifiers apply largest precedence first.
    public var precedence: Int {
        switch self {
        case .lower, .upper: 40
        case .lowerfirst, .upperfirst: 30
        case .quotewildcard, .quoteregex: 20
        case .encodeurl: 15
        case .length: 10
        }
    }

    /// Applies `modifiers` to `value` in precedence order (the order they were written in does
    /// not matter).
    public static func apply(_ modifiers: [SieveSetModifier], to value: String) -> String {
        modifiers.sorted { $0.precedence > $1.precedence }.reduce(value) { $1.apply(to: $0) }
    }

    /// One modifier.
    public func apply(to value: String) -> String {
        switch self {
        case .lower: return value.lowercased()
        case .upper: return value.uppercased()
        case .lowerfirst, .upperfirst:
            guard let first = value.first else { return value }
            let changed = self == .lowerfirst ? first.lowercased() : first.uppercased()
            return changed + value.dropFirst()
        case .quotewildcard:
            return SieveSetModifier.escaping(value) { $0 == "*" || $0 == "?" || $0 == "\\" }
        case .quoteregex:
            // The characters special in POSIX extended regular expressions (IEEE 1003.2 §2.8.4).
            return SieveSetModifier.escaping(value) { "\\^$.[]|()*+?{}".unicodeScalars.contains($0) }
        case .encodeurl:
            // RFC 3986 §2.3 unreserved characters stay; every other octet is percent-encoded.
            var output = ""
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: "~"):
                    output.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    let hex = Array("0123456789ABCDEF".unicodeScalars)
                    output.unicodeScalars.append("%")
                    output.unicodeScalars.append(hex[Int(byte >> 4)])
                    output.unicodeScalars.append(hex[Int(byte & 0x0F)])
                }
            }
            return output
        case .length:
            // "the number of characters in the expansion": Unicode characters, as Pigeonhole counts.
            return String(value.unicodeScalars.count)
        }
    }

    private static func escaping(_ value: String, _ special: (Unicode.Scalar) -> Bool) -> String {
        var output = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if special(scalar) { output.append("\\") }
            output.append(scalar)
        }
        return String(output)
    }
}
