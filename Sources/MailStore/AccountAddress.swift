/// The normal forms of the addresses and domains that accounts are keyed by.
///
/// Domains are case-insensitive (RFC 5321 §2.4) and are stored folded to lower case; an IDN is
/// kept as given (U-labels stay Unicode), only lower-cased. Local parts are case-sensitive in
/// principle (RFC 5321 §2.4) but no mail system here distinguishes `Alice` from `alice`, and
/// treating them apart invites impersonation, so account addresses are folded to lower case too.
enum AccountAddress {
    /// The address folded for lookups: surrounding space and angle brackets dropped, lower case.
    static func fold(_ address: String) -> String {
        var text = Substring(address)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        if text.hasPrefix("<"), text.hasSuffix(">"), text.count >= 2 { text = text.dropFirst().dropLast() }
        return text.lowercased()
    }

    /// Splits at the last `@` (a quoted local part may hold one). nil without a non-empty local
    /// part and domain.
    static func split(_ address: String) -> (local: String, domain: String)? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let local = String(address[..<at]), domain = String(address[address.index(after: at)...])
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        return (local, domain)
    }

    /// RFC 5233 §1: `user+detail@domain` is the subaddress `detail` of `user@domain`. nil when
    /// the local part has no `+` separator or nothing before it.
    static func withoutSubaddress(_ address: String) -> String? {
        guard let (local, domain) = split(address), let plus = local.firstIndex(of: "+"),
            plus != local.startIndex
        else { return nil }
        return String(local[..<plus]) + "@" + domain
    }

    /// A domain fit for an account: RFC 5321 §4.1.2 `Domain = sub-domain *("." sub-domain)`, each
    /// label 1–63 octets of letters, digits and hyphens, not starting or ending with a hyphen;
    /// non-ASCII labels (IDN U-labels, RFC 6531 §3.3) are accepted as given. At most 255 octets.
    static func isValidDomain(_ domain: String) -> Bool {
        guard !domain.isEmpty, domain.utf8.count <= 255 else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else { return false }
            return label.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x7F || scalar == "-" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                    || ("0"..."9").contains(scalar)
            }
        }
    }

    /// An account address: a valid domain and a local part of at most 64 octets (RFC 5321
    /// §4.5.3.1.1) without spaces, controls, angle brackets or further `@`.
    static func isValidAddress(_ address: String) -> Bool {
        guard let (local, domain) = split(address), local.utf8.count <= 64, isValidDomain(domain) else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && scalar != "@" && scalar != "<" && scalar != ">"
        }
    }
}
