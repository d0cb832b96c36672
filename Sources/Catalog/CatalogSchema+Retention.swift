import GRDB

extension CatalogSchema {
    /// "v6": retention and legal holds (the retention issue).
    static func migrateToRetention(_ db: Database) throws {}
}
