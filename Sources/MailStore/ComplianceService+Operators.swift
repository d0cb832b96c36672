import Catalog
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Operators: the people whose keys sign governance. The first is added by themselves (an admin
/// vouching for their own new key, as `tresor init` does); every later one by an admin's key.
extension ComplianceService {
    /// Adds `added` (its public key, its role): a governance record signed by `signer`, then the
    /// catalog. Audited.
    public func addOperator(_ added: OperatorRecord, by signer: GovernanceSigner) async throws(ComplianceError) {
        try await catching {
            guard Self.isValidOperatorName(added.name) else {
                throw GovernanceError.refused(action: "operator add",
                                              reason: "\"\(added.name)\" is no operator name (letters, digits, . _ -; 1–64)")
            }
            let (record, location) = try await journalGovernance(.operatorAdded(added), by: signer)
            try await catalog.governance.addOperator(added, by: signer.foldName, at: record.at)
            try await audit("operator add", "\(added.name) role=\(added.role.rawValue) key=\(added.fingerprint) "
                                + "record \(location)", by: signer.actor)
        }
    }

    /// Generates a key for `name` and adds it as an operator with `role`, signed by `signer` — or,
    /// for the first operator of a data directory, by the new key itself. The caller keeps the key
    /// (in a file, as `tresor operator add` does, or in memory).
    public func enrolOperator(_ name: String, role: OperatorRole, by signer: GovernanceSigner? = nil)
        async throws(ComplianceError) -> OperatorKey
    {
        let key = OperatorKey(generatingFor: name)
        try await addOperator(OperatorRecord(name: name, role: role, publicKey: key.publicKeyHex),
                              by: signer ?? .operatorKey(key))
        return key
    }

    /// Revokes an operator: their key signs nothing from now on. Audited.
    public func revokeOperator(_ name: String, reason: String, by signer: GovernanceSigner) async throws(ComplianceError) {
        try await catching {
            let (record, location) = try await journalGovernance(.operatorRevoked(name: name, reason: reason), by: signer)
            try await catalog.governance.revokeOperator(name, by: signer.foldName, at: record.at)
            try await audit("operator revoke", "\(name): reason=\(Self.quoted(reason)); record \(location)",
                            by: signer.actor)
        }
    }

    /// The operators as the catalog caches them, by name.
    public func operators() async throws(ComplianceError) -> [GovernanceState.Operator] {
        try await catching { try await catalog.governance.operators() }
    }

    /// Whether `name` may be an operator's: 1–64 of letters, digits, ".", "_" and "-".
    public static func isValidOperatorName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
