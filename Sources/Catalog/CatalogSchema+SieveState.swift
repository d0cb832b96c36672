import GRDB

extension CatalogSchema {
    /// "v16": the state Sieve keeps between deliveries, per user, so that a restart forgets none
    /// of it: the vacation replies sent (RFC 5230 §4.2: one reply per sender and handle per
    /// period) and the unique ids `duplicate` saw (RFC 7352 §3). Not derivable from the archive,
    /// so `reset()` keeps them.
    /// ```
    /// vacation_reply  (user, sender, handle): the envelope sender answered (folded to lower case),
    ///                 the SHA-256 of the script's handle, and until when no further reply goes to
    ///                 that sender for that handle; rows whose time is over are removed the next
    ///                 time the user's script replies
    /// sieve_duplicate (user, key): the SHA-256 of a `duplicate` test's handle and unique id, and
    ///                 until when it counts as seen; expired rows go when the user's next are kept
    /// ```
    static func migrateToSieveState(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE vacation_reply (
                user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                sender TEXT NOT NULL,
                handle TEXT NOT NULL,
                until REAL NOT NULL,
                PRIMARY KEY (user, sender, handle)
            ) WITHOUT ROWID;
            CREATE TABLE sieve_duplicate (
                user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                until REAL NOT NULL,
                PRIMARY KEY (user, key)
            ) WITHOUT ROWID;
            """)
    }
}
