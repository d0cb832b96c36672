import Foundation
@testable import MailStore
import Synchronization
import Testing
import TestSupport

/// The verified-login cache: observed through its hit and miss counters, never through timing.
@Suite struct LoginCacheTests {
    private static func store(_ dir: URL) async throws -> MailStore {
        let store = try ImportSessionTests.makeStore(dir)
        try await store.accounts.addDomain("example.org", by: .system("test"))
        try await store.accounts.addUser("anna@example.org", password: "correct horse", by: .system("test"))
        return store
    }

    @Test func aRepeatedLoginIsAnsweredFromTheCache() async throws {
        try await withTemporaryDirectory { dir in
            let store = try await Self.store(dir)
            defer { store.close() }
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "correct horse") == "anna@example.org")
            #expect(store.accounts.loginCacheStatistics == (0, 1))
            #expect(try await store.accounts.verifyPassword("ANNA@example.org", password: "correct horse") == "anna@example.org")
            let afterRepeat = await store.accounts.authenticate(
                "anna@example.org", password: "correct horse", client: "127.0.0.1", protocolName: "imap")
            #expect(afterRepeat == "anna@example.org")
            #expect(store.accounts.loginCacheStatistics == (2, 1))
        }
    }

    @Test func aWrongPasswordIsNeverCached() async throws {
        try await withTemporaryDirectory { dir in
            let store = try await Self.store(dir)
            defer { store.close() }
            for _ in 0..<2 {
                #expect(try await store.accounts.verifyPassword("anna@example.org", password: "correct horsE") == nil)
            }
            #expect(store.accounts.loginCacheStatistics == (0, 2))
            #expect(store.loginCache.count == 0)
            // An unknown user is not even looked up: there is no stored hash to key on.
            #expect(try await store.accounts.verifyPassword("ghost@example.org", password: "x") == nil)
            #expect(store.accounts.loginCacheStatistics == (0, 2))
            #expect(store.loginCache.count == 0)
        }
    }

    @Test func aChangedPasswordMissesAndTheOldOneFails() async throws {
        try await withTemporaryDirectory { dir in
            let store = try await Self.store(dir)
            defer { store.close() }
            _ = try await store.accounts.verifyPassword("anna@example.org", password: "correct horse")
            try await store.accounts.setPassword("anna@example.org", password: "battery staple", by: .system("test"))
            #expect(store.loginCache.count == 0)
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "correct horse") == nil)
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "battery staple") == "anna@example.org")
            #expect(store.accounts.loginCacheStatistics.hits == 0)
        }
    }

    /// `tresor user passwd` in another process changes the stored hash under a running server:
    /// the server's entry is keyed on the old hash, so its next lookup misses.
    @Test func aPasswordChangedByAnotherProcessMisses() async throws {
        try await withTemporaryDirectory { dir in
            let server = try await Self.store(dir)
            defer { server.close() }
            _ = try await server.accounts.verifyPassword("anna@example.org", password: "correct horse")
            _ = try await server.accounts.verifyPassword("anna@example.org", password: "correct horse")
            #expect(server.accounts.loginCacheStatistics == (1, 1))

            let other = try MailStore(dataDirectory: dir)
            try await other.accounts.setPassword("anna@example.org", password: "battery staple", by: .system("test"))
            other.close()

            #expect(server.loginCache.count == 1, "the other process could not reach this cache")
            #expect(try await server.accounts.verifyPassword("anna@example.org", password: "correct horse") == nil)
            #expect(server.accounts.loginCacheStatistics == (1, 2))
            #expect(try await server.accounts.verifyPassword("anna@example.org", password: "battery staple") == "anna@example.org")
        }
    }

    @Test func aRemovedUserCannotLogInFromTheCache() async throws {
        try await withTemporaryDirectory { dir in
            let server = try await Self.store(dir)
            defer { server.close() }
            _ = try await server.accounts.verifyPassword("anna@example.org", password: "correct horse")
            let other = try MailStore(dataDirectory: dir)
            try await other.accounts.removeUser("anna@example.org", by: .system("test"))
            other.close()
            #expect(try await server.accounts.verifyPassword("anna@example.org", password: "correct horse") == nil)
            #expect(server.accounts.loginCacheStatistics.hits == 0)
        }
    }

    @Test func theSecretIsMadeOnceMode0600AndKeptAcrossOpens() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            store.close()
            let path = LoginCacheSecret.path(in: dir)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let first = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(first.count == LoginCacheSecret.length)
            let again = try MailStore(dataDirectory: dir)
            again.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("keys").path)
                .filter { $0.contains(".tmp.") }.isEmpty)
        }
    }

    @Test func aReadOnlyStoreOrAZeroLifetimeTurnsTheCacheOff() async throws {
        try await withTemporaryDirectory { dir in
            let writable = try ImportSessionTests.makeStore(dir)
            writable.close()
            let off = try MailStore(dataDirectory: dir, loginCacheLifetime: .zero)
            defer { off.close() }
            #expect(!off.loginCache.isEnabled)
            let readOnly = try MailStore(dataDirectory: dir, readOnlyCatalog: true)
            defer { readOnly.close() }
            #expect(!readOnly.loginCache.isEnabled)
        }
    }

    // MARK: - The cache alone, on a clock the test moves

    private final class ManualInstant: Sendable {
        let value = Mutex(ContinuousClock.now)
        func advance(_ by: Duration) { value.withLock { $0 += by } }
        var read: @Sendable () -> ContinuousClock.Instant { { self.value.withLock { $0 } } }
    }

    private static let secret = [UInt8](repeating: 7, count: 32)

    @Test func anEntryExpiresItsLifetimeAfterVerificationEvenWhenUsed() {
        let clock = ManualInstant()
        let cache = VerifiedLoginCache(secret: Self.secret, lifetime: .seconds(3600), now: clock.read)
        let key = cache.key(user: "anna@example.org", storedHash: "$scrypt$h1", password: "pw")!
        cache.insert(key, user: "anna@example.org")
        clock.advance(.seconds(3000))
        #expect(cache.lookUp(key) == "anna@example.org")
        clock.advance(.seconds(599))
        #expect(cache.lookUp(key) == "anna@example.org")
        clock.advance(.seconds(1))
        #expect(cache.lookUp(key) == nil)
        #expect(cache.count == 0)
        #expect(cache.statistics == .init(hits: 2, misses: 1))
    }

    @Test func theKeyCoversUserStoredHashAndPassword() {
        let cache = VerifiedLoginCache(secret: Self.secret, lifetime: .seconds(60))
        let base = cache.key(user: "anna@example.org", storedHash: "$scrypt$h1", password: "pw")
        #expect(base != nil)
        #expect(base == cache.key(user: "anna@example.org", storedHash: "$scrypt$h1", password: "pw"))
        #expect(base != cache.key(user: "bob@example.org", storedHash: "$scrypt$h1", password: "pw"))
        #expect(base != cache.key(user: "anna@example.org", storedHash: "$scrypt$h2", password: "pw"))
        #expect(base != cache.key(user: "anna@example.org", storedHash: "$scrypt$h1", password: "pW"))
        let otherSecret = VerifiedLoginCache(secret: [UInt8](repeating: 8, count: 32), lifetime: .seconds(60))
        #expect(base != otherSecret.key(user: "anna@example.org", storedHash: "$scrypt$h1", password: "pw"))
        #expect(VerifiedLoginCache(secret: nil, lifetime: .seconds(60)).key(user: "a", storedHash: "h", password: "p") == nil)
        #expect(VerifiedLoginCache(secret: Self.secret, lifetime: .zero).key(user: "a", storedHash: "h", password: "p") == nil)
    }

    @Test func aFullCacheEvictsTheLeastRecentlyUsed() {
        let cache = VerifiedLoginCache(secret: Self.secret, lifetime: .seconds(3600), capacity: 10)
        let keys = (0..<10).map { cache.key(user: "u\($0)@example.org", storedHash: "h", password: "p")! }
        for (index, key) in keys.enumerated() { cache.insert(key, user: "u\(index)@example.org") }
        #expect(cache.lookUp(keys[0]) != nil)  // the oldest insert, now the most recently used
        let extra = cache.key(user: "new@example.org", storedHash: "h", password: "p")!
        cache.insert(extra, user: "new@example.org")
        #expect(cache.count <= 10)
        #expect(cache.lookUp(keys[0]) == "u0@example.org")
        #expect(cache.lookUp(extra) == "new@example.org")
        #expect(cache.lookUp(keys[1]) == nil, "the least recently used went first")
    }

    @Test func forgettingAUserDropsOnlyTheirEntries() {
        let cache = VerifiedLoginCache(secret: Self.secret, lifetime: .seconds(3600))
        let anna = cache.key(user: "anna@example.org", storedHash: "h", password: "p")!
        let bob = cache.key(user: "bob@example.org", storedHash: "h", password: "p")!
        cache.insert(anna, user: "anna@example.org")
        cache.insert(bob, user: "bob@example.org")
        cache.forget(user: "anna@example.org")
        #expect(cache.lookUp(anna) == nil)
        #expect(cache.lookUp(bob) == "bob@example.org")
    }
}
