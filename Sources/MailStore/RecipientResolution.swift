import Catalog

/// What a forward-path of RCPT TO (RFC 5321 §4.1.1.3) means here.
public enum RecipientResolution: Sendable, Hashable {
    /// The address is in a local domain and reaches someone: the canonical (folded) emails of the
    /// local users it reaches after alias expansion and subaddress stripping, followed by any remote
    /// addresses an alias forwards it to. Never empty.
    case local([String])
    /// The address is in a local domain but reaches nobody (no such user or alias, or only alias
    /// loops): SMTP answers 550 5.1.1.
    case unknownLocal
    /// The domain is not local: relaying, allowed only to authenticated submission. Carries the
    /// address as given (a remote local part is case-sensitive), without angle brackets.
    case remote(String)
}

/// Expands addresses through users and aliases inside one catalog read.
///
/// Rules, in order, for an address in a local domain:
/// 1. an exact user is that user;
/// 2. an exact alias expands into its targets, each resolved again (local ones by these rules,
///    others are remote recipients);
/// 3. `user+detail@domain` (RFC 5233) that is neither resolves as `user@domain`.
/// Expansion is bounded (`maximumDepth` aliases deep); an alias met again on its own expansion
/// path is a loop and contributes nothing, so a loop can never hang or multiply a delivery.
struct RecipientExpander {
    static let maximumDepth = 10

    let lookup: AccountLookup

    /// The local users and remote recipients an address reaches; `local` tells whether its domain is
    /// local at all.
    struct Expansion: Hashable {
        var local = true
        var users: [String] = []
        var remote: [String] = []
        var loop = false

        mutating func add(user: String) { if !users.contains(user) { users.append(user) } }
        mutating func add(remote address: String) { if !remote.contains(address) { remote.append(address) } }
        mutating func merge(_ other: Expansion) {
            other.users.forEach { add(user: $0) }
            other.remote.forEach { add(remote: $0) }
            loop = loop || other.loop
        }
    }

    func resolve(_ address: String) throws -> RecipientResolution {
        let expansion = try expand(address)
        if !expansion.local { return .remote(Self.bare(address)) }
        if expansion.users.isEmpty && expansion.remote.isEmpty { return .unknownLocal }
        return .local(expansion.users + expansion.remote)
    }

    /// Expands one address as given by a client or in an alias target.
    func expand(_ address: String) throws -> Expansion {
        let folded = AccountAddress.fold(address)
        guard let (_, domain) = AccountAddress.split(folded), try lookup.isLocalDomain(domain) else {
            var expansion = Expansion()
            expansion.local = false
            expansion.add(remote: Self.bare(address))
            return expansion
        }
        return try expandLocal(folded, path: [])
    }

    private func expandLocal(_ address: String, path: [String]) throws -> Expansion {
        var expansion = Expansion()
        if path.contains(address) || path.count >= Self.maximumDepth {
            expansion.loop = true
            return expansion
        }
        if try lookup.isUser(address) {
            expansion.add(user: address)
            return expansion
        }
        if let targets = try lookup.aliasTargets(address) {
            for target in targets {
                let folded = AccountAddress.fold(target)
                if let (_, domain) = AccountAddress.split(folded), try lookup.isLocalDomain(domain) {
                    expansion.merge(try expandLocal(folded, path: path + [address]))
                } else {
                    expansion.add(remote: Self.bare(target))
                }
            }
            return expansion
        }
        if let base = AccountAddress.withoutSubaddress(address) {
            return try expandLocal(base, path: path)
        }
        return expansion
    }

    /// The address without surrounding space and angle brackets, case kept.
    static func bare(_ address: String) -> String {
        var text = Substring(address)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        if text.hasPrefix("<"), text.hasSuffix(">"), text.count >= 2 { text = text.dropFirst().dropLast() }
        return String(text)
    }
}
