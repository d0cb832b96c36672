import Catalog
import StoreModel

/// Who may read message content at the command line. With the protection setting
/// `require_operator` on, a content read (`show --raw|--text|--attachments`, every export) must be
/// made by an active operator who unlocked their key: the actor carries the key, the read's audit
/// entries are signed with it, and `tresor audit --verify` checks each signature against the key the
/// chain records for that operator. Without the setting, reads are audited with the OS account.
extension ComplianceService {
    /// Refuses a content read by `actor` when the data directory requires an operator and the actor
    /// is not an active operator holding their own key. The refusal is audited.
    func admitContentRead(_ what: String, by actor: AuditActor) async throws {
        guard try await currentProtection().requireOperator else { return }
        let refusal: String?
        if let key = actor.signingKey {
            let known = try await catalog.governance.operators().first { $0.record.name == key.operatorName }
            if let known, known.isActive, known.record.publicKey.lowercased() == key.publicKeyHex.lowercased() {
                refusal = nil
            } else if let known, !known.isActive {
                refusal = "operator \(key.operatorName) is revoked"
            } else {
                refusal = "the key given is not the key of an operator named \(key.operatorName)"
            }
        } else {
            refusal = "this data directory requires an operator for reading message content (protection setting "
                + "require_operator): name one with --operator NAME (and --key FILE), whose key signs the read"
        }
        guard let refusal else { return }
        try await audit("content read refused", "\(what): \(refusal)", by: actor)
        throw ComplianceError.operatorRequired(refusal)
    }
}
