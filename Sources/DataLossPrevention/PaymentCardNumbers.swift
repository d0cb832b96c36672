/// Payment card numbers in text (ISO/IEC 7812): 13 to 19 digits, printed as one run or in groups
/// separated by single spaces or dashes, whose last digit is the Luhn check digit (ISO/IEC 7812-1
/// Annex B) and whose first digit is a major industry identifier card networks issue (2 to 6:
/// Mastercard's 2-series, Amex, Visa, Mastercard, Discover/UnionPay/Maestro).
///
/// A candidate is a whole number: digits glued to a letter or to more digits are part of
/// something longer (an order number, a tracking code) and never match. Within a run of groups
/// (`4111 1111 1111 1111 12 pcs`), any consecutive groups of 13 to 19 digits are tried, since a
/// card number is usually followed by other numbers in forms and tables. Pure: bytes in, count out.
public enum PaymentCardNumbers {
    /// How many card numbers `text` holds (a group run counts once).
    public static func count(in text: String) -> Int {
        let bytes = Array(text.utf8)
        var found = 0
        var index = 0
        while index < bytes.count {
            guard isDigit(bytes[index]), index == 0 || !isAlphanumeric(bytes[index - 1]) else {
                index += 1
                continue
            }
            let (groups, end) = groupRun(bytes, from: index)
            if end >= bytes.count || !isAlphanumeric(bytes[end]), containsCardNumber(groups) { found += 1 }
            index = max(end, index + 1)
        }
        return found
    }

    /// Whether `digits` (ASCII digits only) pass the Luhn check: from the right, every second
    /// digit doubled (minus 9 when above 9), the sum a multiple of 10.
    public static func passesLuhn(_ digits: [UInt8]) -> Bool {
        guard !digits.isEmpty else { return false }
        var sum = 0
        for (position, byte) in digits.reversed().enumerated() {
            var value = Int(byte - UInt8(ascii: "0"))
            if position % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// Whether `digits` (13 to 19 ASCII digits) read as a card number.
    public static func isCardNumber(_ digits: [UInt8]) -> Bool {
        guard (13...19).contains(digits.count), let first = digits.first,
            (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(first)
        else { return false }
        return passesLuhn(digits)
    }

    /// The digit groups from `start`: digits, then a single space or dash followed by a digit
    /// continues the run. Returns the groups and the index just past the run.
    private static func groupRun(_ bytes: [UInt8], from start: Int) -> ([[UInt8]], Int) {
        var groups: [[UInt8]] = [[]]
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if isDigit(byte) {
                groups[groups.count - 1].append(byte)
                index += 1
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-"),
                index + 1 < bytes.count, isDigit(bytes[index + 1])
            {
                groups.append([])
                index += 1
            } else {
                break
            }
        }
        return (groups, index)
    }

    /// Whether consecutive groups of the run, taken whole, make a card number. One group longer
    /// than 19 digits is a longer number, never a card.
    private static func containsCardNumber(_ groups: [[UInt8]]) -> Bool {
        for first in groups.indices {
            var digits: [UInt8] = []
            for group in groups[first...] {
                digits += group
                if digits.count > 19 { break }
                if digits.count >= 13, isCardNumber(digits) { return true }
            }
        }
        return false
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}
