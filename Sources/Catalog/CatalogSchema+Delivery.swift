import GRDB

extension CatalogSchema {
    /// "v8": outbound delivery (the outbound issue).
    static func migrateToDelivery(_ db: Database) throws {}
}
