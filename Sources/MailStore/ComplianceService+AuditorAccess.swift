import Catalog
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Auditors' IMAP access, governed like everything else that decides who sees the record: the
/// password (its scrypt hash), the scope and the saved searches are governance records signed by an
/// operator's key, journaled, then cached in the catalog (`operator_access`) and audited. The
/// password is set by the operator themself or an admin, so nobody silently gives themselves an
/// auditor's login; the scope by an admin or a compliance operator.
extension ComplianceService {
    /// Sets `name`'s IMAP password (only its hash is journaled). `name` must be an active auditor
    /// or compliance operator.
    public func setOperatorPassword(_ name: String, password: String, by signer: GovernanceSigner)
        async throws(ComplianceError)
    {
        try await catching {
            guard !password.isEmpty else {
                throw GovernanceError.refused(action: "operator passwd", reason: "the password is empty")
            }
            let hash = try await BlockingWork.passwordHashing.run { try PasswordHash.make(password: password).phcString }
            let (_, location) = try await journalGovernance(.operatorPasswordSet(name: name, hash: hash), by: signer)
            try await catalog.governance.updateOperatorAccess(named: name) { $0.passwordHash = hash }
            try await audit("operator passwd", "\(name); record \(location)", by: signer.actor)
        }
    }

    /// Sets what `name` may read over IMAP: the cases (existing legal holds) and the query.
    public func setAuditorScope(_ name: String, cases: [String], query: String?, includeRestricted: Bool = false,
                                by signer: GovernanceSigner) async throws(ComplianceError)
    {
        try await catching {
            let scope = AuditorScopeDefinition(cases: cases, query: query, includeRestricted: includeRestricted)
            if let query = scope.query { _ = try Self.parse(query) }
            for hold in scope.cases where try await catalog.governance.legalHold(named: hold) == nil {
                throw LegalHoldError.unknown(hold)
            }
            let (_, location) = try await journalGovernance(.operatorScopeSet(name: name, scope: scope), by: signer)
            try await catalog.governance.updateOperatorAccess(named: name) { $0.scope = scope }
            try await audit("operator scope", "\(name): \(scope.summary); record \(location)", by: signer.actor)
        }
    }

    /// Saves (or replaces) a search shown to `name` as `Searches/SEARCH`, within their scope.
    public func saveAuditorSearch(_ name: String, search: String, query: String, by signer: GovernanceSigner)
        async throws(ComplianceError)
    {
        try await catching {
            guard OperatorAccess.isValidSearchName(search) else {
                throw GovernanceError.refused(action: "operator search add",
                                              reason: "\"\(search)\" is no search name (letters, digits, space, . _ -; 1–64)")
            }
            _ = try Self.parse(query)
            let (_, location) = try await journalGovernance(
                .operatorSearchSaved(name: name, search: search, query: query), by: signer)
            try await catalog.governance.updateOperatorAccess(named: name) { $0.searches[search] = query }
            try await audit("operator search add", "\(name): \(search)=\(Self.quoted(query)); record \(location)",
                            by: signer.actor)
        }
    }

    public func removeAuditorSearch(_ name: String, search: String, by signer: GovernanceSigner)
        async throws(ComplianceError)
    {
        try await catching {
            let (_, location) = try await journalGovernance(.operatorSearchRemoved(name: name, search: search), by: signer)
            try await catalog.governance.updateOperatorAccess(named: name) { $0.searches[search] = nil }
            try await audit("operator search remove", "\(name): \(search); record \(location)", by: signer.actor)
        }
    }

    /// `name`'s IMAP access as the catalog caches it (never the hash to callers outside), or nil.
    public func operatorAccess(of name: String) async throws(ComplianceError) -> (hasPassword: Bool,
        scope: AuditorScopeDefinition?, searches: [String: String])?
    {
        try await catching {
            guard let access = try await catalog.governance.operatorAccess(named: name) else { return nil }
            return (access.passwordHash != nil, access.scope, access.searches)
        }
    }
}
