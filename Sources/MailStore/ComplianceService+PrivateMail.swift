import Catalog
import QueryLanguage
import StoreModel

/// The private-mail rule: which messages are the owner's own business (a folder such as `Privat`,
/// a keyword such as `$Private`, a query). Auditor scopes and case exports leave these messages
/// out unless a case names them explicitly. The rule is set by a signed governance record, so the
/// chain keeps every version of it and who set it.
extension ComplianceService {
    /// Sets the rule (an empty rule: none), after checking that its folder is a mailbox name, its
    /// keyword an IMAP keyword (RFC 3501 §9 flag-keyword: an atom, no backslash) and its query
    /// parses. Signed, journaled, cached, audited.
    public func setPrivateMailRule(_ rule: PrivateMailRule, by signer: GovernanceSigner) async throws(ComplianceError)
        -> PrivateMailSetting
    {
        try await catching {
            var checked = rule
            if let folder = rule.folder {
                do { checked.folder = try IMAPMailboxName.validate(folder) } catch {
                    throw ComplianceError.invalidPrivateRule("folder \(Self.quoted(folder)): \(error)")
                }
            }
            if let keyword = rule.keyword {
                guard !keyword.hasPrefix("\\"), (try? MessageFlags(parsing: [keyword])) != nil else {
                    throw ComplianceError.invalidPrivateRule("\(Self.quoted(keyword)) is no IMAP keyword")
                }
            }
            if let query = rule.query { _ = try Self.parse(query) }
            let (record, location) = try await journalGovernance(.privateRuleSet(checked), by: signer)
            let setting = PrivateMailSetting(rule: checked, setBy: signer.foldName, setAt: record.at)
            try await catalog.governance.setPrivateMailRule(setting)
            try await audit("private set", "\(checked.description); record \(location)", by: signer.actor)
            return setting
        }
    }

    /// The rule in force (nil: none was ever set). Audited.
    public func privateMailRule(by actor: AuditActor) async throws(ComplianceError) -> PrivateMailSetting? {
        try await catching {
            let setting = try await catalog.governance.privateMailRule()
            try await audit("private show", setting?.rule.description ?? "none", by: actor)
            return setting
        }
    }

    /// The SHA-256 of every message the rule in force marks private (none without a rule). The one
    /// question auditor scopes and exports ask: they leave these messages out unless a case names
    /// them. A rule whose query no longer parses fails the call (fail closed: nothing private leaks).
    public func privateMessages() async throws(ComplianceError) -> Set<String> {
        try await catching {
            guard let rule = try await catalog.governance.privateMailRule()?.rule, !rule.isEmpty else { return [] }
            let query = try rule.query.map { text throws(ComplianceError) in try Self.parse(text) }
            return try await catalog.governance.privateMessages(rule, query: query)
        }
    }
}
