/// International bank account numbers in text (ISO 13616-1): two letters of the country, two
/// check digits, then the country's BBAN, the whole of the length the country registered with
/// SWIFT (the IBAN registry). Printed in groups of four separated by spaces, in either case.
/// A candidate counts when its length is the country's and the check digits hold (ISO 7064
/// MOD 97-10: the first four characters moved to the end, letters as 10 to 35, the number
/// modulo 97 is 1). Pure: text in, count out.
public enum IBANs {
    /// The IBAN length of each country in the IBAN registry.
    public static let lengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
        "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
        "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
        "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
        "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
        "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
        "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
        "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
    ]

    /// How many IBANs `text` holds.
    public static func count(in text: String) -> Int {
        let bytes = Array(text.utf8)
        var found = 0
        var index = 0
        while index + 4 <= bytes.count {
            if index > 0, PaymentCardNumbers.isAlphanumeric(bytes[index - 1]) {
                index += 1
                continue
            }
            if let end = match(bytes, at: index) {
                found += 1
                index = end
            } else {
                index += 1
            }
        }
        return found
    }

    /// Whether `candidate` (spaces allowed, any case) is one valid IBAN.
    public static func isValid(_ candidate: String) -> Bool {
        let compact = Array(candidate.utf8.filter { $0 != UInt8(ascii: " ") })
        guard compact.allSatisfy(PaymentCardNumbers.isAlphanumeric) else { return false }
        return match(compact, at: 0) == compact.count
    }

    /// The end of the IBAN starting at `start`, or nil. Spaces between characters are skipped;
    /// the character after the last one must not continue it.
    private static func match(_ bytes: [UInt8], at start: Int) -> Int? {
        guard start + 4 <= bytes.count, isLetter(bytes[start]), isLetter(bytes[start + 1]),
            PaymentCardNumbers.isDigit(bytes[start + 2]), PaymentCardNumbers.isDigit(bytes[start + 3])
        else { return nil }
        let country = String(decoding: bytes[start..<start + 2].map { $0 & ~0x20 }, as: UTF8.self)
        guard let length = lengths[country] else { return nil }
        var characters: [UInt8] = []
        var index = start
        while index < bytes.count, characters.count < length {
            let byte = bytes[index]
            if PaymentCardNumbers.isAlphanumeric(byte) {
                characters.append(isLetter(byte) ? byte & ~0x20 : byte)
                index += 1
            } else if byte == UInt8(ascii: " "), index + 1 < bytes.count,
                PaymentCardNumbers.isAlphanumeric(bytes[index + 1]), characters.count >= 4
            {
                index += 1
            } else {
                break
            }
        }
        guard characters.count == length, index == bytes.count || !PaymentCardNumbers.isAlphanumeric(bytes[index])
        else { return nil }
        return hasValidCheckDigits(characters) ? index : nil
    }

    /// ISO 7064 MOD 97-10 over upper-case ASCII letters and digits.
    static func hasValidCheckDigits(_ characters: [UInt8]) -> Bool {
        var remainder = 0
        for byte in characters[4...] + characters[..<4] {
            if isLetter(byte) {
                remainder = (remainder * 100 + Int(byte - UInt8(ascii: "A")) + 10) % 97
            } else {
                remainder = (remainder * 10 + Int(byte - UInt8(ascii: "0"))) % 97
            }
        }
        return remainder == 1
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")
    }
}
