import Catalog
import StoreModel

/// The folders every new user gets, with their RFC 6154 §2 SPECIAL-USE attributes (INBOX has none:
/// it is special by name, RFC 3501 §5.1).
public let defaultMailboxes: [(name: String, specialUse: String?)] = [
    ("INBOX", nil), ("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"), ("Junk", "\\Junk"),
    ("Archive", "\\Archive"),
]

/// Domains, users, aliases and who may log in: the accounts of the data directory. Changes are
/// audited with the actor who made them.
public struct AccountService: StoreService {
    typealias Failure = AccountError
    let store: MailStore
}

extension AccountError: StoreFailure {}

extension AccountService {
    // MARK: - Domains

    /// Adds a local domain (folded to lower case).
    public func addDomain(_ domain: String, by actor: AuditActor) async throws(AccountError) {
        try await catching {
            try await catalog.accounts.addDomain(try Self.validDomain(domain), at: clock.now())
            try await audit("domain add", AccountAddress.fold(domain), by: actor)
        }
    }

    /// Removes a local domain; refused while it still has users or aliases.
    public func removeDomain(_ domain: String, by actor: AuditActor) async throws(AccountError) {
        try await catching {
            try await catalog.accounts.removeDomain(AccountAddress.fold(domain))
            try await audit("domain del", AccountAddress.fold(domain), by: actor)
        }
    }

    public func domains() async throws(AccountError) -> [String] {
        try await catching {
            try await catalog.accounts.domains()
        }
    }

    public func isLocalDomain(_ domain: String) async throws(AccountError) -> Bool {
        try await catching {
            let folded = AccountAddress.fold(domain)
            return try await catalog.accounts.withAccounts { try $0.isLocalDomain(folded) }
        }
    }

    // MARK: - Users

    /// Adds a user in a local domain with a scrypt-hashed password and the default folders.
    public func addUser(_ email: String, password: String, by actor: AuditActor) async throws(AccountError) {
        try await catching {
            let (address, domain) = try Self.validAddress(email)
            let hash = try await BlockingWork.passwordHashing.run { try PasswordHash.make(password: password).phcString }
            try await catalog.accounts.addUser(
                address, domain: domain, passwordHash: hash,
                mailboxes: defaultMailboxes.map { MailboxTemplate(name: $0.name, specialUse: $0.specialUse) }, at: clock.now())
            try await audit("user add", AccountAddress.fold(email), by: actor)
        }
    }

    public func setPassword(_ email: String, password: String, by actor: AuditActor) async throws(AccountError) {
        try await catching {
            let address = AccountAddress.fold(email)
            guard try await catalog.accounts.passwordHash(of: address) != nil else { throw AccountError.unknownUser(address) }
            let hash = try await BlockingWork.passwordHashing.run { try PasswordHash.make(password: password).phcString }
            try await catalog.accounts.setPasswordHash(hash, of: address)
            // The old hash is part of every cache key, so its entries would miss anyway; drop them.
            store.loginCache.forget(user: address)
            try await audit("user passwd", AccountAddress.fold(email), by: actor)
        }
    }

    /// Removes a user, its mailboxes and placements; the archive keeps every message.
    public func removeUser(_ email: String, by actor: AuditActor) async throws(AccountError) {
        try await catching {
            try await catalog.accounts.removeUser(AccountAddress.fold(email))
            store.loginCache.forget(user: AccountAddress.fold(email))
            try await audit("user del", AccountAddress.fold(email), by: actor)
        }
    }

    public func users() async throws(AccountError) -> [String] {
        try await catching {
            try await catalog.accounts.users()
        }
    }

    /// A login for any protocol (SMTP AUTH, IMAP LOGIN/AUTHENTICATE, POP3, ManageSieve): the
    /// canonical user, or nil — after the client's failure delay (`AuthenticationThrottle`), which
    /// grows with its recent failures. An unknown user costs the same derivation as a known one
    /// (against a dummy hash), so the delay is the only difference a guesser sees. A storage
    /// failure is logged and answered as a failed login.
    public func authenticate(_ username: String, password: String, client: String, protocolName: String) async
        -> String?
    {
        let user: String?
        do {
            user = try await verifyPassword(username, password: password)
        } catch {
            logger.error("authentication lookup failed", metadata: ["error": "\(error)"])
            user = nil
        }
        if user != nil { return user }
        let delay = store.authenticationThrottle.recordFailure(from: client)
        logger.notice("authentication failed", metadata: [
            "user": "\(username)", "client": "\(client)", "protocol": "\(protocolName)",
            "delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)"])
        try? await Task.sleep(for: delay)
        return nil
    }

    /// Verifies a password without the throttle: the canonical user email, or nil if the user is
    /// unknown or the password wrong. A login verified within the cache's lifetime, with the same
    /// password against the same stored hash, is answered from `VerifiedLoginCache` without scrypt;
    /// only a verified login is ever inserted.
    public func verifyPassword(_ username: String, password: String) async throws(AccountError) -> String? {
        try await catching {
            let address = AccountAddress.fold(username)
            let storedText = try await catalog.accounts.passwordHash(of: address)
            let stored = storedText.flatMap(PasswordHash.init(phcString:))
            let cacheKey = storedText.flatMap { store.loginCache.key(user: address, storedHash: $0, password: password) }
            if let cacheKey, stored != nil, store.loginCache.lookUp(cacheKey) == address { return address }
            let matches = try await BlockingWork.passwordHashing.run {
                guard let stored else {
                    _ = try Self.dummyHash.verify(password: password)
                    return false
                }
                return try stored.verify(password: password)
            }
            guard matches else { return nil }
            if let cacheKey { store.loginCache.insert(cacheKey, user: address) }
            return address
        }
    }

    /// How often the verified-login cache answered a login, and how often scrypt had to.
    public var loginCacheStatistics: (hits: Int, misses: Int) {
        let statistics = store.loginCache.statistics
        return (statistics.hits, statistics.misses)
    }

    /// Verified against when the user is unknown; its salt and hash are random, so no password matches.
    static let dummyHash: PasswordHash = {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) } }
        return PasswordHash(
            algorithm: .scrypt(logRounds: PasswordHash.scryptLogRounds, blockSize: PasswordHash.scryptBlockSize,
                               parallelism: PasswordHash.scryptParallelism),
            salt: random(PasswordHash.saltLength), hash: random(PasswordHash.hashLength))
    }()

    // MARK: - Aliases

    /// Adds an alias in a local domain that expands to `targets` (local users, other aliases or
    /// remote addresses). Refused if it would expand into itself.
    public func addAlias(_ address: String, targets: [String], by actor: AuditActor) async throws(AccountError) {
        try await catching {
            let (alias, domain) = try Self.validAddress(address)
            var cleaned: [String] = []
            for target in targets {
                let bare = RecipientExpander.bare(target)
                guard AccountAddress.isValidAddress(bare) else { throw AccountError.invalidAddress(target) }
                // Local parts of remote targets keep their case; local targets are folded when expanded.
                if !cleaned.contains(bare) { cleaned.append(bare) }
            }
            try await catalog.accounts.addAlias(alias, domain: domain, targets: cleaned, at: clock.now()) { lookup in
                let expander = RecipientExpander(lookup: lookup)
                if try expander.expand(alias).loop { throw AccountError.aliasLoop(alias) }
            }
            try await audit("alias add", "\(AccountAddress.fold(address)) → \(targets.joined(separator: ", "))", by: actor)
        }
    }

    public func removeAlias(_ address: String, by actor: AuditActor) async throws(AccountError) {
        try await catching {
            try await catalog.accounts.removeAlias(AccountAddress.fold(address))
            try await audit("alias del", AccountAddress.fold(address), by: actor)
        }
    }

    public func aliases() async throws(AccountError) -> [(String, [String])] {
        try await catching {
            try await catalog.accounts.aliases().map { ($0.address, $0.targets) }
        }
    }

    // MARK: - Resolution

    /// RCPT TO resolution (RFC 5321 §4.1.1.3): see `RecipientExpander` for the rules.
    public func resolveRecipient(_ address: String) async throws(AccountError) -> RecipientResolution {
        try await catching {
            try await catalog.accounts.withAccounts { try RecipientExpander(lookup: $0).resolve(address) }
        }
    }

    /// The addresses a user may send as (MAIL FROM on submission, RFC 6409 §6.1): its own, and every
    /// alias whose whole expansion is this user alone. Empty for an unknown user.
    public func sendableAddresses(of user: String) async throws(AccountError) -> Set<String> {
        try await catching {
            let address = AccountAddress.fold(user)
            return try await catalog.accounts.withAccounts { lookup in
                guard try lookup.isUser(address) else { return [] }
                let expander = RecipientExpander(lookup: lookup)
                var result: Set<String> = [address]
                // Walk the aliases that lead to the user, breadth first and bounded like expansion.
                var frontier = [address], visited: Set<String> = [address]
                for _ in 0..<RecipientExpander.maximumDepth where !frontier.isEmpty {
                    var next: [String] = []
                    for target in frontier {
                        for alias in try lookup.aliases(targeting: target) where visited.insert(alias).inserted {
                            next.append(alias)
                            let expansion = try expander.expand(alias)
                            if expansion.users == [address] && expansion.remote.isEmpty { result.insert(alias) }
                        }
                    }
                    frontier = next
                }
                return result
            }
        }
    }

    /// Expands every envelope recipient into the route of a delivery, in one catalog read that also
    /// reads the Sieve generation (so a delivery to users without scripts costs no further read).
    func route(for recipients: [String]) async throws -> DeliveryRouting {
        try await catalog.accounts.withAccounts { lookup in
            let expander = RecipientExpander(lookup: lookup)
            var total = RecipientExpander.Expansion()
            var routing = DeliveryRouting(sieveGeneration: try lookup.sieveGeneration(),
                                          lockGeneration: try lookup.lockGeneration())
            for recipient in recipients {
                let expansion = try expander.expand(recipient)
                if expansion.users.isEmpty && expansion.remote.isEmpty { routing.unknown.append(recipient) }
                for user in expansion.users where routing.envelopeTo[user] == nil {
                    routing.envelopeTo[user] = RecipientExpander.bare(recipient)
                }
                total.merge(expansion)
            }
            routing.route = Route(localUsers: total.users, remoteRecipients: total.remote)
            return routing
        }
    }

    // MARK: - Validation

    static func validDomain(_ domain: String) throws -> String {
        let folded = AccountAddress.fold(domain)
        guard AccountAddress.isValidDomain(folded) else { throw AccountError.invalidDomain(domain) }
        return folded
    }

    static func validAddress(_ email: String) throws -> (address: String, domain: String) {
        let folded = AccountAddress.fold(email)
        guard AccountAddress.isValidAddress(folded), let (_, domain) = AccountAddress.split(folded) else {
            throw AccountError.invalidAddress(email)
        }
        return (folded, domain)
    }
}
