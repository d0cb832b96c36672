/// A collation (RFC 4790) named by `:comparator` (RFC 5228 §2.7.3). Strings are compared as
/// sequences of Unicode scalars, never as Swift `String`s (which would equate canonically
/// equivalent but different byte sequences); on valid UTF-8 that is the same as comparing octets.
public enum SieveComparator: String, Sendable, Hashable, CaseIterable {
    /// "i;octet" (RFC 4790 §9.3): exact octets; supports equality, substring and ordering.
    case octet = "i;octet"
    /// "i;ascii-casemap" (RFC 4790 §9.2), the default (RFC 5228 §2.7.3): as i;octet after
    /// mapping ASCII "a"–"z" to "A"–"Z"; other characters are compared as they are.
    case asciiCasemap = "i;ascii-casemap"
    /// "i;ascii-numeric" (RFC 4790 §9.1): the decimal value of the leading digits; a string that
    /// does not start with a digit is positive infinity, equal to every other such string.
    /// Supports equality and ordering only (no substring, so no :contains or :matches).
    case asciiNumeric = "i;ascii-numeric"

    /// The comparator a `:comparator` value names (case-insensitively, RFC 4790 §3.1), nil if unknown.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// Whether the collation defines substring operations (RFC 4790 §4.2.3).
    public var supportsSubstring: Bool { self != .asciiNumeric }

    /// Whether two characters are equal under this collation (for substring and glob matching).
    @inline(__always)
    func equal(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
        switch self {
        case .octet, .asciiNumeric: a == b
        case .asciiCasemap: SieveComparator.fold(a) == SieveComparator.fold(b)
        }
    }

    /// ASCII upper-casing (RFC 4790 §9.2): only "a"–"z" change.
    @inline(__always)
    static func fold(_ scalar: Unicode.Scalar) -> UInt32 {
        let value = scalar.value
        return (0x61...0x7A).contains(value) ? value - 0x20 : value
    }

    /// Equality (RFC 4790 §4.2.1), the `:is` match type.
    public func equals(_ value: String, _ key: String) -> Bool {
        compare(value, key) == .equal
    }

    /// Ordering (RFC 4790 §4.2.2), used by `:is` and the relational match types (RFC 5231).
    public func compare(_ value: String, _ key: String) -> SieveOrdering {
        switch self {
        case .octet:
            return SieveComparator.lexicographic(value.utf8, key.utf8) { UInt32($0) }
        case .asciiCasemap:
            // Folding maps ASCII to ASCII only, so comparing folded UTF-8 bytes orders like octets.
            return SieveComparator.lexicographic(value.utf8, key.utf8) { byte in
                (0x61...0x7A).contains(byte) ? UInt32(byte - 0x20) : UInt32(byte)
            }
        case .asciiNumeric:
            return SieveComparator.compareNumbers(SieveComparator.leadingDigits(value), SieveComparator.leadingDigits(key))
        }
    }

    /// Substring (RFC 4790 §4.2.3), the `:contains` match type. The empty key is in every string.
    public func contains(_ value: String, _ key: String) -> Bool {
        let haystack = Array(value.unicodeScalars)
        let needle = Array(key.unicodeScalars)
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) {
            var index = 0
            while index < needle.count, equal(haystack[start + index], needle[index]) { index += 1 }
            if index == needle.count { return true }
        }
        return false
    }

    private static func lexicographic(_ a: String.UTF8View, _ b: String.UTF8View, _ map: (UInt8) -> UInt32)
        -> SieveOrdering
    {
        var left = a.makeIterator()
        var right = b.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return .equal
            case (nil, _): return .less
            case (_, nil): return .greater
            case (let x?, let y?):
                let mx = map(x)
                let my = map(y)
                if mx != my { return mx < my ? .less : .greater }
            }
        }
    }

    /// The leading ASCII digits without leading zeros ("" for zero), or nil for "+infinity"
    /// (RFC 4790 §9.1.1: a string not starting with a digit).
    static func leadingDigits(_ string: String) -> [UInt8]? {
        let digits = Array(string.utf8.prefix { (0x30...0x39).contains($0) })
        if digits.isEmpty { return nil }
        let firstSignificant = digits.firstIndex { $0 != 0x30 } ?? digits.count
        return Array(digits[firstSignificant...])
    }

    /// Compares two arbitrarily long decimal numbers; nil (infinity) is greater than any number
    /// and equal to itself.
    private static func compareNumbers(_ a: [UInt8]?, _ b: [UInt8]?) -> SieveOrdering {
        switch (a, b) {
        case (nil, nil): return .equal
        case (nil, _): return .greater
        case (_, nil): return .less
        case (let x?, let y?):
            if x.count != y.count { return x.count < y.count ? .less : .greater }
            for (dx, dy) in zip(x, y) where dx != dy { return dx < dy ? .less : .greater }
            return .equal
        }
    }
}

/// The result of an ordering comparison (RFC 4790 §4.2.2).
public enum SieveOrdering: Sendable, Hashable {
    case less, equal, greater
}

/// The operator of a relational match (RFC 5231 §4: "gt" / "ge" / "lt" / "le" / "eq" / "ne").
public enum SieveRelation: String, Sendable, Hashable, CaseIterable {
    case greaterThan = "gt", greaterOrEqual = "ge", lessThan = "lt", lessOrEqual = "le", equal = "eq",
        notEqual = "ne"

    /// The operator for a `:value`/`:count` argument (case-insensitive), nil if unknown.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// Whether `value <op> key` holds, given how `value` compares to `key`.
    public func holds(_ ordering: SieveOrdering) -> Bool {
        switch self {
        case .greaterThan: ordering == .greater
        case .greaterOrEqual: ordering != .less
        case .lessThan: ordering == .less
        case .lessOrEqual: ordering != .greater
        case .equal: ordering == .equal
        case .notEqual: ordering != .equal
        }
    }
}
