import GRDB
import QueryLanguage
import StoreModel

/// Which queries a message matches before it is indexed — for the retention floors locked policies
/// stamp into a message's envelope when it arrives, in the same group commit as the message.
///
/// The message is indexed exactly as `CatalogMessages.index` would index it, but into a private
/// in-memory database with the catalog's own schema, inside a transaction that is rolled back;
/// each query is then compiled by `QueryCompiler` and run there. So a policy matches a message at
/// arrival exactly when `tresor search` would find it afterwards: one implementation of the
/// language, not two that could drift apart.
public final class PolicyMatcher: Sendable {
    private let queue: DatabaseQueue

    public init() throws {
        queue = try DatabaseQueue()
        try CatalogSchema.migrator.migrate(queue)
    }

    /// For each query (nil: every message), whether `item` matches it. Blocking: run it off the
    /// cooperative pool.
    public func matches(_ queries: [SearchQuery?], item: IndexItem) throws -> [Bool] {
        let prepared = PreparedDelivery(item)
        return try queue.inDatabase { db in
            var results: [Bool] = []
            try db.inTransaction {
                try Catalog.index(prepared, statements: try IndexStatements(db), in: db)
                for query in queries {
                    guard let query else {
                        results.append(true)
                        continue
                    }
                    let condition = QueryCompiler.condition(query.root)
                    results.append(try Bool.fetchOne(db, SQLRequest(literal: "SELECT EXISTS (SELECT 1 FROM message m WHERE \(condition))")) ?? false)
                }
                return .rollback
            }
            return results
        }
    }
}
