import MailStore

extension TresorConfiguration {
    /// The `[access]` table:
    /// ```toml
    /// [access]
    /// require_operator = false  # true: `show --raw|--text|--attachments` and `export` need an
    ///                           # operator's key (`--operator`), which signs the read's audit entry;
    ///                           # stored in the data directory, where only an approved proposal
    ///                           # switches it off again
    /// ```
    public struct AccessSettings: Sendable, Equatable {
        public var requireOperator: Bool

        public init(requireOperator: Bool = false) {
            self.requireOperator = requireOperator
        }
    }

    /// What the file asks of the data directory's protection settings (it may raise them, not lower
    /// them: see `ComplianceService.adoptConfiguredProtection`).
    public var protection: ProtectionSettings {
        ProtectionSettings(requireApproval: retention.requireApproval, autoPurge: retention.autoPurge,
                           requireOperator: accessControl.requireOperator)
    }

    mutating func readAccessSettings(_ reader: inout TOMLTableReader) throws(ConfigurationError) {
        guard var table = try reader.table("access") else { return }
        if let requireOperator = try table.bool("require_operator") { accessControl.requireOperator = requireOperator }
        try table.finish()
    }
}
