import GRDB

extension CatalogSchema {
    /// "v7": purges (the retention issue's archive part).
    static func migrateToPurges(_ db: Database) throws {}
}
