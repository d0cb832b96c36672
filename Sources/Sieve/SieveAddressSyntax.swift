/// Checks the address of `redirect` (RFC 5228 §4.2: it "MUST be syntactically valid"): at
/// compile time for constant addresses, at run time after variable expansion.
enum SieveAddressSyntax {
    // addr-spec = local-part "@" domain                        ; RFC 5322 §3.4.1
    // local-part = dot-atom / quoted-string ; domain = dot-atom / domain-literal
    /// The addr-spec of `text` ("user@example.org", also written "<user@example.org>" or as a
    /// name-addr "Name <user@example.org>" (RFC 5322 §3.4), with surrounding white space), or nil
    /// if it is not one. UTF-8 is allowed in both halves
    /// (RFC 6532 §3.2); the domain must be host-name labels or a bracketed literal. The domain
    /// comes back in ASCII lower case (RFC 5321 §2.4: domains are case-insensitive; local parts
    /// are not), as Pigeonhole normalises it.
    static func addrSpec(_ text: String) -> String? {
        var spec = Substring(text).trimmingASCIIWhitespace()
        if spec.last == ">", let open = spec.lastIndex(of: "<") {
            spec = spec[spec.index(after: open)..<spec.index(before: spec.endIndex)]
        }
        guard let at = spec.lastIndex(of: "@") else { return nil }
        let local = spec[..<at]
        let domain = spec[spec.index(after: at)...]
        guard isLocalPart(local), isDomain(domain) else { return nil }
        return local + "@" + SieveFlags.key(String(domain))
    }

    private static func isLocalPart(_ local: Substring) -> Bool {
        guard !local.isEmpty, local.utf8.count <= 64 * 4 else { return false }
        if local.first == "\"", local.last == "\"", local.count >= 2 {
            // quoted-string: any printable character, backslash escapes (RFC 5322 §3.2.4).
            return local.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        }
        // dot-atom: atoms separated by single dots (RFC 5322 §3.2.3).
        return local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy(isAtext)
        }
    }

    private static func isDomain(_ domain: Substring) -> Bool {
        guard !domain.isEmpty, domain.utf8.count <= 255 else { return false }
        if domain.first == "[" { return domain.last == "]" && !domain.contains(" ") }
        return domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { scalar in
                    scalar.value >= 0x80 || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                        || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
                }
        }
    }

    // atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" /
    //         "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"     ; RFC 5322 §3.2.3, UTF-8 per RFC 6532
    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value >= 0x80 { return true }
        if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) { return true }
        return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\r\n" || first == "\n" {
            result = result.dropFirst()
        }
        while let last = result.last, last == " " || last == "\t" || last == "\r\n" || last == "\n" {
            result = result.dropLast()
        }
        return result
    }
}
