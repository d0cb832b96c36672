import QueryLanguage
/// Where an address appeared, as stored in `address.role`.
enum AddressRole: String, CaseIterable, Sendable {
    case from, sender, replyTo = "reply-to", to, cc
    /// Header Bcc, and envelope recipients that are not in To or Cc.
    case bcc
    /// The envelope sender (MAIL FROM, RFC 5321 §4.1.1.2).
    case envelopeFrom = "env-from"
    /// An envelope recipient (RCPT TO, RFC 5321 §4.1.1.3).
    case envelopeTo = "env-to"

    /// The stored roles a query field searches.
    static func roles(for field: AddressField) -> [AddressRole] {
        switch field {
        case .from: [.from]
        case .to: [.to]
        case .cc: [.cc]
        case .bcc: [.bcc]
        case .participant: allCases
        }
    }

    /// `mail.example.com` → `com.example.mail`: subdomains then sort right after their parent.
    static func reversedDomain(_ domain: String) -> String {
        domain.split(separator: ".", omittingEmptySubsequences: true).reversed().joined(separator: ".")
    }

    /// The folded domain of a folded address: the part after the last `@`, or "".
    static func domain(ofAddress address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return String(address[address.index(after: at)...])
    }
}
