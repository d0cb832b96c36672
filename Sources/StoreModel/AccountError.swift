/// Why an account change (domain, user, alias) was refused. Messages name what was given, never a
/// password.
public enum AccountError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidDomain(String)
    case invalidAddress(String)
    case domainExists(String)
    case unknownDomain(String)
    /// A domain still holding users or aliases cannot be removed.
    case domainInUse(String, users: Int, aliases: Int)
    /// An address in a domain that is not local (users and aliases live only in local domains).
    case notLocalDomain(address: String, domain: String)
    case userExists(String)
    case unknownUser(String)
    case aliasExists(String)
    case unknownAlias(String)
    /// An alias needs at least one target.
    case noTargets(String)
    /// The alias would expand back into itself (directly or through other aliases).
    case aliasLoop(String)
    /// The address already names a user, or an alias (one address is one or the other).
    case addressTaken(String)
    /// The archive or the catalog failed.
    case storage(StorageFailure)

    public var description: String {
        switch self {
        case .invalidDomain(let domain): "invalid domain \"\(domain)\""
        case .invalidAddress(let address): "invalid address \"\(address)\" (expected local-part@domain)"
        case .domainExists(let domain): "domain \(domain) already exists"
        case .unknownDomain(let domain): "no local domain \(domain)"
        case .domainInUse(let domain, let users, let aliases):
            "domain \(domain) still has \(users) user(s) and \(aliases) alias(es); remove them first"
        case .notLocalDomain(let address, let domain):
            "\(address): domain \(domain) is not a local domain (add it with `tresor domain add \(domain)`)"
        case .userExists(let user): "user \(user) already exists"
        case .unknownUser(let user): "no user \(user)"
        case .aliasExists(let alias): "alias \(alias) already exists"
        case .unknownAlias(let alias): "no alias \(alias)"
        case .noTargets(let alias): "alias \(alias) needs at least one target"
        case .aliasLoop(let alias): "alias \(alias) would expand into itself"
        case .addressTaken(let address): "\(address) is already a user or an alias"
        case .storage(let failure): failure.description
        }
    }
}
