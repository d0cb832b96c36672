import Foundation
import GRDB
import StoreModel

extension CatalogMessages {
    /// For every message in which `address` takes part, the roles it has there as `address.role`
    /// stores them (from, sender, reply-to, to, cc, bcc, env-from, env-to), by the message's
    /// SHA-256. The address is folded as the index folds it; one lookup on the `address` key.
    public func addressRoles(of address: String) async throws -> [String: Set<String>] {
        let key = Catalog.addressKey(address)
        let domain = AddressRole.reversedDomain(AddressRole.domain(ofAddress: key))
        return try await pool.read { db in
            var roles: [String: Set<String>] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT m.sha256, a.role FROM address a JOIN message m ON m.id = a.message
                WHERE a.rdomain = ? AND a.address = ?
                """, arguments: [domain, key]) {
                roles[row[0] as String, default: []].insert(row[1])
            }
            return roles
        }
    }
}
