#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// The unique ids the `duplicate` test saw (RFC 7352 §3), per user, by the key the caller gives
/// (a hash of handle and id).
extension CatalogAccounts {
    /// Which of `keys` were seen by `user` and are still within their period at `now`.
    public func seenSieveDuplicates(user email: String, keys: [String], at now: Date) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try await pool.read { db in
            var seen: Set<String> = []
            for key in keys {
                let found = try Bool.fetchOne(db, sql: """
                    SELECT 1 FROM sieve_duplicate d JOIN user u ON u.id = d.user
                    WHERE u.email = ? AND d.key = ? AND d.until > ?
                    """, arguments: [email, key, now.timeIntervalSince1970]) ?? false
                if found { seen.insert(key) }
            }
            return seen
        }
    }

    /// Remembers keys a delivered message's script tested: a key not seen within its period is
    /// remembered until `now + period`; a key still remembered keeps its time unless `last` asks
    /// to count the period from now (RFC 7352 §3.3 `:last`). Forgets the user's expired keys.
    public func trackSieveDuplicates(user email: String, _ entries: [(key: String, period: TimeInterval, last: Bool)],
                                     at now: Date) async throws {
        guard !entries.isEmpty else { return }
        try await pool.write { db in
            guard let user = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email])
            else { return }
            try db.execute(sql: "DELETE FROM sieve_duplicate WHERE user = ? AND until <= ?",
                           arguments: [user, now.timeIntervalSince1970])
            for entry in entries {
                let until = now.addingTimeInterval(entry.period).timeIntervalSince1970
                try db.execute(sql: """
                    INSERT INTO sieve_duplicate (user, key, until) VALUES (?, ?, ?)
                    ON CONFLICT (user, key) DO UPDATE SET until = CASE WHEN ? THEN excluded.until ELSE until END
                    """, arguments: [user, entry.key, until, entry.last])
            }
        }
    }
}
