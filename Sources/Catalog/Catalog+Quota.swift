import GRDB
import StoreModel

/// Storage quotas (RFC 9208): each user's own setting, and what the user's mailboxes hold.
extension CatalogAccounts {
    /// The user's own setting; `.inherited` without one. Throws `AccountError.unknownUser`.
    public func storageQuota(of email: String) async throws -> StorageQuota {
        try await pool.read { db in
            guard let user = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email]) else {
                throw AccountError.unknownUser(email)
            }
            guard let row = try Row.fetchOne(db, sql: "SELECT storage FROM user_quota WHERE user = ?", arguments: [user])
            else { return .inherited }
            let storage: Int64? = row[0]
            return storage.map { .octets($0) } ?? .unlimited
        }
    }

    public func setStorageQuota(_ quota: StorageQuota, of email: String) async throws {
        try await pool.write { db in
            guard let user = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email]) else {
                throw AccountError.unknownUser(email)
            }
            switch quota {
            case .inherited:
                try db.execute(sql: "DELETE FROM user_quota WHERE user = ?", arguments: [user])
            case .unlimited:
                try db.execute(sql: "INSERT OR REPLACE INTO user_quota (user, storage) VALUES (?, NULL)", arguments: [user])
            case .octets(let octets):
                try db.execute(sql: "INSERT OR REPLACE INTO user_quota (user, storage) VALUES (?, ?)",
                               arguments: [user, octets])
            }
        }
    }

    /// The octets the user's mailboxes hold: the sum of every placement's RFC822.SIZE (CRLF line
    /// ends; the stored size where a placement predates transmitted sizes). A message in two
    /// mailboxes counts twice, as it does for IMAP clients (RFC 9208 §5.1 STORAGE).
    public func storageUsed(by email: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT coalesce(sum(coalesce(mm.transmitted_size, mm.size)), 0)
                FROM mailbox_message mm JOIN mailbox b ON b.id = mm.mailbox JOIN user u ON u.id = b.user
                WHERE u.email = ?
                """, arguments: [email]) ?? 0
        }
    }
}
