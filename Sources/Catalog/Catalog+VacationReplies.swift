#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// The memory of vacation replies (RFC 5230 §4.2): which sender got a reply for which handle,
/// and until when no second one goes out. Keys are as the caller gives them (the sender folded,
/// the handle hashed).
extension CatalogAccounts {
    /// Takes the one reply of the period for (user, sender, handle): true, and remembers it until
    /// `until`, when no reply is remembered for them at `now`; false when one is. One transaction,
    /// so two deliveries at once cannot both answer. Also forgets the user's replies whose time is
    /// over. False for an unknown user.
    public func claimVacationReply(user email: String, sender: String, handle: String, at now: Date,
                                   until: Date) async throws -> Bool {
        try await pool.write { db in
            guard let user = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email])
            else { return false }
            try db.execute(sql: "DELETE FROM vacation_reply WHERE user = ? AND until <= ?",
                           arguments: [user, now.timeIntervalSince1970])
            let taken = try Bool.fetchOne(db, sql: """
                SELECT 1 FROM vacation_reply WHERE user = ? AND sender = ? AND handle = ?
                """, arguments: [user, sender, handle]) ?? false
            if taken { return false }
            try db.execute(sql: "INSERT INTO vacation_reply (user, sender, handle, until) VALUES (?, ?, ?, ?)",
                           arguments: [user, sender, handle, until.timeIntervalSince1970])
            return true
        }
    }

    /// Until when a reply to (user, sender, handle) is remembered, if it still is at `now`.
    public func vacationReplyRemembered(user email: String, sender: String, handle: String,
                                        at now: Date) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: """
                SELECT r.until FROM vacation_reply r JOIN user u ON u.id = r.user
                WHERE u.email = ? AND r.sender = ? AND r.handle = ? AND r.until > ?
                """, arguments: [email, sender, handle, now.timeIntervalSince1970]).map(Date.init(timeIntervalSince1970:))
        }
    }
}
