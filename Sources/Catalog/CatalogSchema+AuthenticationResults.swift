import GRDB

extension CatalogSchema {
    /// "v18": the sender authentication results of each delivery, from its envelope record
    /// (`Envelope.authenticationResults`), for `auth:dmarc=fail` and the like.
    /// ```
    /// delivery.auth_results   " dkim=pass dmarc=pass spf=pass ": the sorted method=result pairs,
    ///                         each between single spaces so one `instr` finds a whole pair;
    ///                         NULL when no checks ran (submission, imports, checks off)
    /// ```
    /// Derived from the archive like the rest of `delivery`, so reindex fills it again. Deliveries
    /// indexed before "v18" keep NULL until the next reindex.
    static func migrateToAuthenticationResults(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE delivery ADD COLUMN auth_results TEXT")
    }

    /// The column value for an envelope's pairs.
    static func authResultsColumn(_ pairs: [String]?) -> String? {
        guard let pairs, !pairs.isEmpty else { return nil }
        return " " + pairs.map { $0.lowercased() }.joined(separator: " ") + " "
    }
}
