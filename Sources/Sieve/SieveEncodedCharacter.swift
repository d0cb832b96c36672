/// The "encoded-character" extension (RFC 5228 §2.4.2.4): `${hex:…}` and `${unicode:…}` in any
/// string are replaced by the octets or characters they name, when the script requires it.
///
///     encoded-arb-octets   = "${hex:" hex-pair-seq "}"
///     hex-pair-seq         = *blank hex-pair *(1*blank hex-pair) *blank
///     hex-pair             = 1*2HEXDIG
///     encoded-unicode-char = "${unicode:" unicode-hex-seq "}"
///     unicode-hex-seq      = *blank unicode-hex *(1*blank unicode-hex) *blank
///     unicode-hex          = 1*HEXDIG
///     blank                = WSP / CRLF
///
/// A sequence that does not match the grammar stays as written. A code point outside
/// 0–D7FF and E000–10FFFF is an error (§2.4.2.4), and so are decoded octets that are not
/// UTF-8 or contain NUL (strings in this implementation are UTF-8 text without NUL).
enum SieveEncodedCharacter {
    /// Returns `text` decoded, or the message of the error it holds.
    static func decode(_ text: String) -> Result<String, DecodingProblem> {
        guard text.contains("${") else { return .success(text) }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "{" else {
                output.append(scalars[index])
                index += 1
                continue
            }
            switch encodedSequence(scalars, from: index) {
            case .none:
                output.append(scalars[index])
                index += 1
            case .some(.failure(let problem)):
                return .failure(problem)
            case .some(.success(let (decoded, end))):
                output.append(contentsOf: decoded.unicodeScalars)
                index = end
            }
        }
        return .success(String(output))
    }

    struct DecodingProblem: Error, Equatable {
        var message: String
    }

    /// The decoded text and the index after the closing "}", nil when `${` at `start` does not
    /// begin a well-formed encoded sequence.
    private static func encodedSequence(_ scalars: [Unicode.Scalar], from start: Int) -> Result<(String, Int), DecodingProblem>? {
        guard let colon = scalars[start...].firstIndex(of: ":"), colon - start <= 9 else { return nil }
        let kind = String(String.UnicodeScalarView(scalars[(start + 2)..<colon])).lowercased()
        guard kind == "hex" || kind == "unicode", let close = scalars[colon...].firstIndex(of: "}") else { return nil }
        // Split the body on blanks; every piece must be hex digits (1–2 of them for hex).
        var numbers: [UInt32] = []
        var piece = ""
        for scalar in scalars[(colon + 1)..<close] + [" "] {
            if scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" {
                if !piece.isEmpty {
                    if kind == "hex" && piece.count > 2 { return nil }
                    numbers.append(UInt32(piece, radix: 16) ?? UInt32.max)  // too long: out of range below
                    piece = ""
                }
            } else if scalar.properties.isASCIIHexDigit {
                piece.unicodeScalars.append(scalar)
            } else {
                return nil
            }
        }
        guard !numbers.isEmpty else { return nil }
        if kind == "hex" {
            let bytes = numbers.map { UInt8($0) }
            guard !bytes.contains(0) else { return .failure(DecodingProblem(message: "${hex:} encodes a NUL byte")) }
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                return .failure(DecodingProblem(message: "${hex:} does not encode valid UTF-8"))
            }
            return .success((decoded, close + 1))
        }
        var decoded = String.UnicodeScalarView()
        for number in numbers {
            guard number != 0, let scalar = Unicode.Scalar(number) else {
                let hex = String(number, radix: 16, uppercase: true)
                return .failure(DecodingProblem(message: "${unicode:} names an invalid code point U+\(hex)"))
            }
            decoded.append(scalar)
        }
        return .success((String(decoded), close + 1))
    }
}
