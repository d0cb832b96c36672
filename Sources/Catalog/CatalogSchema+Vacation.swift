import GRDB

extension CatalogSchema {
    /// "v15": the vacation replies sent (RFC 5230 §4.2: one reply per sender and handle per
    /// period), per user, so that a restart does not answer a sender again. Not derivable from the
    /// archive, so `reset()` keeps it.
    /// ```
    /// vacation_reply  (user, sender, handle): the envelope sender answered (folded to lower case),
    ///                 the SHA-256 of the script's handle, and until when no further reply goes to
    ///                 that sender for that handle; rows whose time is over are removed the next
    ///                 time the user's script replies
    /// ```
    static func migrateToVacationReplies(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE vacation_reply (
                user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                sender TEXT NOT NULL,
                handle TEXT NOT NULL,
                until REAL NOT NULL,
                PRIMARY KEY (user, sender, handle)
            ) WITHOUT ROWID;
            """)
    }
}
