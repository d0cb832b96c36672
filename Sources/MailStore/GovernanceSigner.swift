import ArchiveStore
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who signs a governance record: a person with their operator key, or the server with the
/// archive's seal key ("system": only what keeps more, see `GovernanceState`).
public struct GovernanceSigner: Sendable {
    enum Key: Sendable {
        case operatorKey(OperatorKey)
        case system
    }

    let key: Key
    /// Who the audit trail names: the operator (with the OS account that ran the command), or the
    /// server's own work.
    public let actor: AuditActor

    /// An operator acting with their decrypted key; `osUser` is the account that ran the command.
    public static func operatorKey(_ key: OperatorKey, osUser: String? = nil) -> GovernanceSigner {
        let name = osUser.map { "\(key.name) (os \($0))" } ?? key.name
        return GovernanceSigner(key: .operatorKey(key), actor: AuditActor(kind: .operator, name: name))
    }

    /// The server itself, e.g. `system("retention planner")`; `onBehalfOf`: the person whose
    /// command it is (the audit trail names them; the seal key signs what it may sign alone).
    public static func system(_ what: String, onBehalfOf person: AuditActor? = nil) -> GovernanceSigner {
        GovernanceSigner(key: .system, actor: person ?? .system(what))
    }

    /// The operator's name, or "system".
    public var signerName: String {
        switch key {
        case .operatorKey(let key): key.name
        case .system: GovernanceRecord.systemSigner
        }
    }

    /// How the governance state names the signer: "operator:NAME" or "system".
    public var foldName: String {
        switch key {
        case .operatorKey(let key): "operator:\(key.name)"
        case .system: "system"
        }
    }

    public var isSystem: Bool {
        if case .system = key { return true }
        return false
    }
}

/// Why a governance action was refused before anything was journaled.
public enum GovernanceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The signer may not do this (unknown, revoked, wrong key, wrong role, the same key twice).
    case refused(action: String, reason: String)
    /// The catalog's governance tables differ from what the archive's governance records say;
    /// a purge relying on them stops.
    case catalogDiffers([String])

    public var description: String {
        switch self {
        case .refused(let action, let reason): "\(action) refused: \(reason)"
        case .catalogDiffers(let differences):
            "the catalog's governance state differs from the archive's governance records, so nothing is purged "
                + "(run `tresor verify`; `tresor reindex` rebuilds the catalog from the archive): "
                + differences.joined(separator: "; ")
        }
    }
}
