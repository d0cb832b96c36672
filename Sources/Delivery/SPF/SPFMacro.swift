/// Macro expansion of RFC 7208 §7.
///
///     macro-string  = *( macro-expand / macro-literal )
///     macro-expand  = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
///     macro-literal = %x21-24 / %x26-7E
///     macro-letter  = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
///     transformers  = *DIGIT [ "r" ]
///     delimiter     = "." / "-" / "+" / "," / "/" / "_" / "="
enum SPFMacro {
    /// The values the letters stand for (§7.3).
    struct Context: Sendable {
        /// <sender>: the checked identity, "postmaster@" + domain when it had no local part (§4.3).
        var sender: String
        /// <domain>: the domain being checked now.
        var domain: String
        var address: SPFAddress?
        /// The HELO/EHLO argument.
        var helo: String

        /// For syntax checks: every letter expands to "x".
        static let syntaxOnly = Context(sender: "x@x", domain: "x", address: nil, helo: "x")

        var localPart: String {
            guard let at = sender.lastIndex(of: "@") else { return "postmaster" }
            return String(sender[..<at])
        }

        var senderDomain: String {
            guard let at = sender.lastIndex(of: "@") else { return sender }
            return String(sender[sender.index(after: at)...])
        }
    }

    static func expand(_ text: String, context: Context, isExplanation: Bool) throws(SPFRecordError) -> String {
        var output = ""
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            guard character == "%" else {
                // macro-literal: visible ASCII but "%" (space is allowed only in exp text, §7.1).
                guard let ascii = character.asciiValue, (0x21...0x7E).contains(ascii) || (isExplanation && ascii == 0x20) else {
                    throw SPFRecordError("invalid character in macro-string: \(text)")
                }
                output.append(character)
                continue
            }
            switch characters.popFirst() {
            case "%": output.append("%")
            case "_": output.append(" ")
            case "-": output.append("%20")
            case "{":
                guard let close = characters.firstIndex(of: "}") else { throw SPFRecordError("unclosed macro: \(text)") }
                let body = characters[..<close]
                characters = characters[characters.index(after: close)...]
                output += try expandOne(body, context: context, isExplanation: isExplanation, whole: text)
            default:
                throw SPFRecordError("bad % escape: \(text)")  // §7.1: any other "%" is a syntax error
            }
        }
        return output
    }

    private static func expandOne(_ body: ArraySlice<Character>, context: Context, isExplanation: Bool,
                                  whole: String) throws(SPFRecordError) -> String {
        guard let letter = body.first else { throw SPFRecordError("empty macro: \(whole)") }
        var rest = body.dropFirst()
        let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
        rest = rest.dropFirst(digits.count)
        var reverse = false
        if rest.first == "r" || rest.first == "R" {
            reverse = true
            rest = rest.dropFirst()
        }
        guard rest.allSatisfy({ ".-+,/_=".contains($0) }) else { throw SPFRecordError("bad macro: \(whole)") }
        let delimiters: [Character] = rest.isEmpty ? ["."] : Array(rest)
        // §7.2: a transformer of 0 is a syntax error (digits name how many parts to keep).
        var keep: Int?
        if !digits.isEmpty {
            guard let count = Int(String(digits)), count > 0 else { throw SPFRecordError("bad macro digits: \(whole)") }
            keep = min(count, 128)
        }
        let value: String
        switch letter.lowercased() {
        case "s": value = context.sender
        case "l": value = context.localPart
        case "o": value = context.senderDomain
        case "d": value = context.domain
        case "i": value = context.address?.macroText ?? "x"
        // §7.3 `p`: the validated domain name of the client. Its PTR lookup is not made (the
        // resolver reads no PTR data and §5.5 discourages it), so it is "unknown" as the RFC
        // says for an address without a validated name.
        case "p": value = "unknown"
        case "v": value = (context.address?.isIPv4 ?? true) ? "in-addr" : "ip6"
        case "h": value = context.helo
        case "c", "r", "t":  // §7.3: only in exp= explanation strings
            guard isExplanation else { throw SPFRecordError("%{\(letter)} outside exp: \(whole)") }
            value = letter.lowercased() == "c" ? (context.address?.description ?? "") : "unknown"
        default:
            throw SPFRecordError("unknown macro letter: \(whole)")
        }
        var parts = value.split(omittingEmptySubsequences: false, whereSeparator: { delimiters.contains($0) }).map(String.init)
        if reverse { parts.reverse() }
        if let keep, keep < parts.count { parts = Array(parts.suffix(keep)) }
        let joined = parts.joined(separator: ".")
        // §7.3: an upper-case letter means URL-escaping (RFC 3986 unreserved characters stay).
        return letter.isUppercase ? urlEscaped(joined) : joined
    }

    private static func urlEscaped(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if character.isASCII, character.isLetter || character.isNumber || "-._~".contains(character) {
                output.append(character)
            } else {
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
