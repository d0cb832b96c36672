/// The variables of one script run (RFC 5229): named variables set by `set` (names are
/// case-insensitive, §3) and the match variables `${0}`…`${9}` of the last successful
/// `:matches`/`:regex` test (§3.2). Unknown variables expand to "" (§3).
struct SieveVariables {
    /// Named variables by lower-cased name.
    private(set) var named: [String: String] = [:]
    /// `${0}` (the whole matched value) and the wildcard or group texts, in order.
    var matchVariables: [String] = []
    let limits: SieveLimits

    init(limits: SieveLimits) {
        self.limits = limits
    }

    /// The value of a named variable ("" when it was never set).
    func value(of name: String) -> String {
        named[name.lowercased()] ?? ""
    }

    /// Sets a named variable; the value is cut to `limits.variableSize` UTF-8 bytes at a
    /// character boundary (RFC 5229 §3 lets implementations limit sizes; Pigeonhole cuts too).
    /// Throws when a new name would exceed `limits.variables`.
    mutating func set(_ name: String, to value: String) throws(SieveVariableError) {
        let key = name.lowercased()
        if named[key] == nil, named.count >= limits.variables {
            throw SieveVariableError("too many variables (at most \(limits.variables))")
        }
        named[key] = SieveVariables.truncated(value, toBytes: limits.variableSize)
    }

    static func truncated(_ value: String, toBytes limit: Int) -> String {
        guard value.utf8.count > limit else { return value }
        var result = ""
        var size = 0
        for scalar in value.unicodeScalars {
            let length = UTF8.width(scalar)
            if size + length > limit { break }
            result.unicodeScalars.append(scalar)
            size += length
        }
        return result
    }

    // variable-ref = "${" [namespace] variable-name "}"       ; RFC 5229 §3
    // namespace    = identifier "." *sub-namespace
    // variable-name = num-variable / identifier
    // num-variable = 1*DIGIT
    /// Replaces every reference in `string` by its value, in one pass (values are not scanned
    /// again). What is not a well-formed reference stays as written ("${doh!}", "${"), and so do
    /// namespaced references such as "${env.x}": no namespace is supported, and RFC 5229 §3
    /// leaves unknown namespaces to the extension that would define them.
    func expand(_ string: String) -> String {
        guard string.contains("${") else { return string }
        let scalars = Array(string.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "{",
                let close = scalars[(index + 2)...].firstIndex(of: "}"),
                let replacement = resolve(scalars[(index + 2)..<close])
            {
                output.append(contentsOf: replacement.unicodeScalars)
                index = close + 1
                continue
            }
            output.append(scalars[index])
            index += 1
        }
        return String(output)
    }

    /// The value for the text between "${" and "}", or nil when it is not a plain reference.
    private func resolve(_ name: ArraySlice<Unicode.Scalar>) -> String? {
        guard let first = name.first else { return nil }
        if name.allSatisfy({ ("0"..."9").contains($0) }) {
            // A number too large for an index names a match variable that is never set.
            let digits = name.drop { $0 == "0" }
            guard digits.count <= 2 else { return "" }
            let index = digits.reduce(0) { $0 * 10 + Int($1.value - 0x30) }
            return index < matchVariables.count ? matchVariables[index] : ""
        }
        guard SieveVariables.isIdentifierStart(first), name.allSatisfy(SieveVariables.isIdentifierCharacter) else {
            return nil
        }
        return value(of: String(String.UnicodeScalarView(name)))
    }

    // identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")        ; RFC 5228 §8.1
    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    static func isIdentifierCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar)
    }

    /// Whether `name` may be set: an identifier (RFC 5229 §4: `set` takes no namespaces and no
    /// numbered variables).
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        return isIdentifierStart(first) && name.unicodeScalars.allSatisfy(isIdentifierCharacter)
    }
}

/// Why a variable could not be set; the interpreter adds the location.
struct SieveVariableError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
