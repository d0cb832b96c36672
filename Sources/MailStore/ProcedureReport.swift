import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The procedure documentation (GoBD's Verfahrensdokumentation) of one data directory: what
/// software keeps the mail, how it is configured, who may govern it, which rules keep and delete
/// it, what holds and restrictions there are, which keys seal it and where it is anchored, and
/// what was purged. Built from the archive's own records and the configuration in force, never
/// from the time of asking, so the same data gives the same report, byte for byte.
public struct ProcedureReport: Sendable, Hashable {
    /// One titled table of the report.
    public struct Section: Sendable, Hashable {
        public var title: String
        /// A paragraph before the table saying what it shows.
        public var note: String
        public var columns: [String]
        public var rows: [[String]]

        public init(title: String, note: String, columns: [String], rows: [[String]]) {
            self.title = title
            self.note = note
            self.columns = columns
            self.rows = rows
        }
    }

    public var title: String
    public var sections: [Section]

    public init(title: String, sections: [Section]) {
        self.title = title
        self.sections = sections
    }
}

/// What the caller knows that the data directory does not: the software and the configuration.
public struct ProcedureContext: Sendable {
    public var software: String
    /// `key = value` of the configuration in force.
    public var configuration: [(key: String, value: String)]
    /// The retention policies of the policy folder in force: name, match, retain, count from, action, file.
    public var policies: [[String]]

    public init(software: String, configuration: [(key: String, value: String)], policies: [[String]]) {
        self.software = software
        self.configuration = configuration
        self.policies = policies
    }
}
