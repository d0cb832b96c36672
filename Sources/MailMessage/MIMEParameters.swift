/// The parameter list of Content-Type and Content-Disposition: RFC 2045 §5.1 plus RFC 2231
/// (continuations, charset and language, percent-encoding) and, as real mailers do, RFC 2047
/// encoded words inside parameter values.
///
/// Invariants: keys are ASCII-lowercased and carry no "*" section markers; the first occurrence of
/// a plain parameter wins; an RFC 2231 value wins over a plain one of the same name; never traps.
enum MIMEParameters {
    // parameter := attribute "=" value                    ; RFC 2045 §5.1
    // value     := token / quoted-string
    // RFC 2231 §3, §4:  attribute "*" section ["*"] "=" value,  attribute "*=" charset "'" [lang] "'" %XX-text
    /// Parses `;`-separated parameters starting at the scanner's position (just after the
    /// type/subtype or disposition type). Tolerates missing "=", unquoted values with spaces,
    /// unterminated quotes, and stray semicolons.
    static func parse(_ scanner: inout HeaderScanner) -> [String: String] {
        var plain: [String: String] = [:]
        var sections: [String: [Section]] = [:]
        while true {
            scanner.skipCFWS()
            guard let byte = scanner.current else { break }
            if byte == UInt8(ascii: ";") {
                scanner.position += 1
                continue
            }
            // attribute: up to "=" or ";" (white space inside is dropped).
            var attribute: [UInt8] = []
            while let next = scanner.current, next != UInt8(ascii: "="), next != UInt8(ascii: ";") {
                if next == UInt8(ascii: "(") {
                    _ = scanner.readComment()
                    continue
                }
                if !HeaderScanner.isWhitespace(next), next != UInt8(ascii: "\"") { attribute.append(next) }
                scanner.position += 1
            }
            guard scanner.current == UInt8(ascii: "=") else { continue }  // "; foo;" has no value
            scanner.position += 1
            scanner.skipCFWS()
            let (rawValue, wasQuoted) = readValue(&scanner)
            guard !attribute.isEmpty else { continue }
            let name = attribute.lowercasedASCIIString()
            if let star = name.firstIndex(of: "*") {
                let base = String(name[..<star])
                let rest = name[name.index(after: star)...]
                var extended = false
                var number = 0
                if rest.isEmpty {
                    extended = true  // name*=charset'lang'value
                } else {
                    var digits = rest
                    if digits.hasSuffix("*") {
                        extended = true
                        digits = digits.dropLast()
                    }
                    guard digits.count <= 4, let parsed = Int(digits) else { continue }
                    number = parsed
                }
                sections[base, default: []].append(
                    Section(number: number, extended: extended, value: rawValue, quoted: wasQuoted))
            } else if plain[name] == nil {
                plain[name] = plainValue(rawValue, name: name)
            }
        }
        for (name, parts) in sections {
            plain[name] = joinSections(parts)
        }
        return plain
    }

    struct Section {
        var number: Int
        var extended: Bool
        var value: [UInt8]
        var quoted: Bool
    }

    /// A token, or a quoted string (RFC 2045 §5.1); unquoted values run to ";" as broken mailers
    /// write `name=my file.pdf`.
    private static func readValue(_ scanner: inout HeaderScanner) -> ([UInt8], Bool) {
        if scanner.current == UInt8(ascii: "\"") {
            let value = scanner.readQuotedString()
            // Anything after the closing quote up to ";" is junk; skip it.
            while let next = scanner.current, next != UInt8(ascii: ";") { scanner.position += 1 }
            return (value, true)
        }
        var value: [UInt8] = []
        while let next = scanner.current, next != UInt8(ascii: ";") {
            // A comment after white space ends the value: `charset=us-ascii (Plain text)`.
            if next == UInt8(ascii: "("), value.last.map(HeaderScanner.isWhitespace) ?? true {
                _ = scanner.readComment()
                continue
            }
            if next != 0x0D, next != 0x0A { value.append(next) }
            scanner.position += 1
        }
        return (Array(value.trimmingWhitespace()), false)
    }

    /// A plain value: RFC 2047 encoded words decoded (as real mailers put them in filename="…"),
    /// raw 8-bit bytes read as UTF-8, else Windows-1252. A boundary is never decoded: it must match
    /// the delimiter lines byte for byte (RFC 2046 §5.1.1).
    private static func plainValue(_ bytes: [UInt8], name: String) -> String {
        name == "boundary" ? EncodedWords.decodeRaw(bytes[...]) : EncodedWords.decode(bytes)
    }

    /// RFC 2231 §3: sections joined in numeric order; §4: the first extended section may start
    /// with charset'language', and extended sections are %XX-encoded.
    private static func joinSections(_ parts: [Section]) -> String {
        let ordered = parts.sorted { $0.number < $1.number }
        var charset: String? = nil
        var bytes: [UInt8] = []
        for (index, part) in ordered.enumerated() {
            var value = part.value[...]
            if part.extended {
                if index == 0 {
                    // charset'language'text; tolerate a missing prefix.
                    if let firstQuote = value.firstIndex(of: UInt8(ascii: "'")),
                        let secondQuote = value[(firstQuote + 1)...].firstIndex(of: UInt8(ascii: "'"))
                    {
                        let label = value[..<firstQuote]
                        if !label.isEmpty { charset = String(decoding: label, as: UTF8.self) }
                        value = value[(secondQuote + 1)...]
                    }
                }
                bytes += percentDecode(value)
            } else {
                bytes += value
            }
        }
        return Charsets.decodeLossy(bytes, charset: charset)
    }

    /// "%XX" to a byte (RFC 2231 §4); a malformed "%" stays as it is.
    static func percentDecode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%"), let high = Base64Text.hexValue(text[safe: index + 1]),
                let low = Base64Text.hexValue(text[safe: index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}
