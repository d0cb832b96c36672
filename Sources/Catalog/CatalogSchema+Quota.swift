import GRDB

extension CatalogSchema {
    /// "v19": a user's own storage quota (RFC 9208 STORAGE), set with `tresor user quota`. A
    /// user without a row has the default of `tresor.toml` (`[quota] default_storage`). Not
    /// derivable from the archive, so `reset()` keeps it.
    /// ```
    /// user_quota (user): storage — the limit in octets, or NULL for no limit at all
    /// ```
    static func migrateToQuota(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE user_quota (
                user INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
                storage INTEGER
            );
            """)
    }
}
