/// Which part of an address a test compares (RFC 5228 §2.7.4, subaddress RFC 5233 §4).
public enum SieveAddressPart: String, Sendable, Hashable, CaseIterable {
    /// The whole addr-spec "local@domain" (the default).
    case all
    /// Before the last "@".
    case localpart
    /// After the last "@".
    case domain
    /// RFC 5233 §4: the local part up to the first separator, all of it when there is none.
    case user
    /// RFC 5233 §4: the local part after the first separator ("" for "ken+@x"). With no
    /// separator the address has no detail and matches no key, not even "".
    case detail

    /// The subaddress separator (RFC 5233 §3 leaves it to the site; "+" is the common one, and
    /// what MailStore resolves for delivery).
    public static let separator: Character = "+"

    /// The part of `address` (an addr-spec), or nil when the address has no such part: a
    /// `:detail` without a separator, and `:domain` of an address without "@" (RFC 5228 §2.7.4:
    /// an address that is not syntactically valid is not matched by `:localpart`/`:domain`;
    /// a bare local name such as "root" still has a local part). The null address "" (an
    /// envelope's null reverse-path, RFC 5228 §5.4) has an empty local part and domain.
    public func extract(from address: String) -> String? {
        if address.isEmpty { return self == .detail ? nil : "" }
        let at = address.lastIndex(of: "@")
        let local = at.map { String(address[..<$0]) } ?? address
        switch self {
        case .all: return address
        case .localpart: return local
        case .domain: return at.map { String(address[address.index(after: $0)...]) }
        case .user:
            return local.firstIndex(of: SieveAddressPart.separator).map { String(local[..<$0]) } ?? local
        case .detail:
            return local.firstIndex(of: SieveAddressPart.separator).map { String(local[local.index(after: $0)...]) }
        }
    }
}
