import Crypto
import Synchronization

/// Logins that scrypt verified recently, so that a client that logs in again and again (a mail
/// client polling, a phone reconnecting) does not pay a full derivation each time, as Dovecot's
/// authentication cache spares it. The stored hash stays scrypt; only success is remembered.
///
/// Invariants:
/// - An entry is found only under the key HMAC-SHA256(secret, user ‖ 0 ‖ stored hash ‖ 0 ‖
///   password). The secret (`LoginCacheSecret`) never leaves the data directory, so the memory
///   holds no value a password could be tested against offline. Neither the user nor the stored
///   hash (a PHC string) contains a NUL, so the concatenation is unambiguous.
/// - The stored hash is part of the key: when `tresor user passwd` runs in another process, the
///   server's next lookup reads the new hash and misses. A user removed has no hash and is never
///   looked up. `forget(user:)` drops a user's entries when the change happens in this process.
/// - Only verified logins are inserted; a wrong password is never cached and still pays scrypt
///   and the throttle's delay.
/// - Bounded: at most `capacity` entries; past it, expired entries go first, then the least
///   recently used. An entry expires `lifetime` after the scrypt verification that made it
///   (using it does not extend it), so a cached login is re-verified at least that often.
final class VerifiedLoginCache: Sendable {
    /// Counters for tests and metrics: how many lookups found a live entry, how many did not.
    struct Statistics: Sendable, Equatable {
        var hits = 0
        var misses = 0
    }

    private struct Entry {
        var user: String
        var verifiedAt: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        var uses: UInt64 = 0
        var statistics = Statistics()
    }

    /// nil: the cache is off (no secret, or a lifetime of zero); every login is verified.
    private let secret: SymmetricKey?
    let lifetime: Duration
    let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    /// `secret`: the bytes of `LoginCacheSecret`; nil turns the cache off.
    init(secret: [UInt8]?, lifetime: Duration, capacity: Int = 10_000,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.secret = lifetime > .zero ? secret.map { SymmetricKey(data: $0) } : nil
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
        self.now = now
    }

    var isEnabled: Bool { secret != nil }

    var statistics: Statistics { state.withLock { $0.statistics } }

    var count: Int { state.withLock { $0.entries.count } }

    /// The key of a login attempt, or nil when the cache is off.
    func key(user: String, storedHash: String, password: String) -> [UInt8]? {
        guard let secret else { return nil }
        var mac = HMAC<SHA256>(key: secret)
        mac.update(data: Array(user.utf8))
        mac.update(data: [0])
        mac.update(data: Array(storedHash.utf8))
        mac.update(data: [0])
        mac.update(data: Array(password.utf8))
        return Array(mac.finalize())
    }

    /// The user of a live entry under `key`, counted as a hit; nil (a miss) otherwise.
    func lookUp(_ key: [UInt8]) -> String? {
        let now = self.now()
        return state.withLock { state -> String? in
            guard var entry = state.entries[key] else {
                state.statistics.misses += 1
                return nil
            }
            guard now - entry.verifiedAt < lifetime else {
                state.entries[key] = nil
                state.statistics.misses += 1
                return nil
            }
            state.uses += 1
            entry.lastUse = state.uses
            state.entries[key] = entry
            state.statistics.hits += 1
            return entry.user
        }
    }

    /// Remembers a login scrypt has just verified.
    func insert(_ key: [UInt8], user: String) {
        let now = self.now()
        state.withLock { state in
            state.uses += 1
            state.entries[key] = Entry(user: user, verifiedAt: now, lastUse: state.uses)
            guard state.entries.count > capacity else { return }
            state.entries = state.entries.filter { now - $0.value.verifiedAt < lifetime }
            guard state.entries.count > capacity else { return }
            // Evict down to 90 % so that a full cache sorts once per many inserts, not on each.
            let keep = capacity - capacity / 10
            let byRecentUse = state.entries.sorted { $0.value.lastUse > $1.value.lastUse }.prefix(keep)
            state.entries = Dictionary(uniqueKeysWithValues: byRecentUse.map { ($0.key, $0.value) })
        }
    }

    /// Drops every entry of `user` (a password changed or the user removed in this process).
    func forget(user: String) {
        state.withLock { state in
            state.entries = state.entries.filter { $0.value.user != user }
        }
    }
}
