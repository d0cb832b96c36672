import DataLossPrevention
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// `[dlp]`: data-loss prevention on outgoing mail (submission and Sieve redirects to other
    /// domains). Off unless `rules` names a folder.
    ///
    /// ```toml
    /// [dlp]
    /// rules = "dlp"      # folder of *.toml rule files, relative to tresor.toml
    /// ```
    public struct DLPSettings: Sendable, Equatable {
        /// The rule folder; nil: DLP is off.
        public var rulesFolder: URL?
        /// The folder as written in tresor.toml, for messages.
        public var rulesPath: String?

        public init() {}

        /// Loads the rules, every file checked (`DLPRuleSet.load`); nil when DLP is off.
        public func loadRules() throws(DLPLoadError) -> DLPRuleSet? {
            guard let rulesFolder else { return nil }
            return try DLPRuleSet.load(folder: rulesFolder, displayPath: rulesPath ?? rulesFolder.path)
        }
    }

    mutating func readDLPSettings(_ reader: inout TOMLTableReader, resolve: (String) -> URL) throws(ConfigurationError) {
        guard var table = try reader.table("dlp") else { return }
        if let path = try table.string("rules", nonEmpty: true) {
            dlp.rulesFolder = resolve(path)
            dlp.rulesPath = path
        }
        try table.finish()
    }
}
