import Foundation
import MailStore
import Retention

extension TresorConfiguration {
    /// The top-level `retention_policies` key and the `[retention]` table:
    /// ```toml
    /// retention_policies = "retention-policies"   # folder of *.toml policy files (relative: to this file)
    /// [retention]
    /// auto_purge = false        # true: `tresor serve` purges what is due at plan_time by itself
    /// require_approval = false  # true: purges need a plan and a second person's `retention approve`;
    ///                           # stored in the data directory, where only an approved proposal
    ///                           # switches it off again
    /// plan_time = "03:00"       # HH:MM UTC, when `tresor serve` plans each day
    /// ```
    public struct RetentionSettings: Sendable, Equatable {
        /// The policy folder as configured; nil: `retention-policies` in the working directory, where
        /// a missing folder means "no policies, everything is kept".
        public var policiesFolder: URL?
        /// `retention.auto_purge`: the daily plan also executes. Off by default: the GoBD checklists
        /// forbid silent automatic deletion, so by default only a person running `apply` deletes.
        public var autoPurge: Bool
        /// `retention.require_approval`: `apply` writes a plan that another actor must approve.
        public var requireApproval: Bool
        /// `retention.plan_time`: minutes after 00:00 UTC when the server plans each day.
        public var planMinuteOfDay: Int
        /// Where the default folder is looked for: the configuration file's folder; nil: the working
        /// directory (no file was read).
        public var baseFolder: URL?

        public init(policiesFolder: URL? = nil, autoPurge: Bool = false, requireApproval: Bool = false,
                    planMinuteOfDay: Int = 3 * 60) {
            self.policiesFolder = policiesFolder
            self.autoPurge = autoPurge
            self.requireApproval = requireApproval
            self.planMinuteOfDay = planMinuteOfDay
        }

        /// The folder read when `retention_policies` is not set.
        public static let defaultFolderName = "retention-policies"

        /// `retention-policies` in the configuration file's folder (else the working directory).
        public var defaultFolder: URL {
            URL(fileURLWithPath: Self.defaultFolderName, isDirectory: true, relativeTo: baseFolder).standardizedFileURL
        }

        /// The folder the policies are read from, configured or default.
        public var effectiveFolder: URL { policiesFolder ?? defaultFolder }

        /// Loads the policies these settings name. A configured folder must exist; the default one may
        /// be missing (then there are no policies and `onMissingDefault` is told, to log it). Invalid
        /// files throw `PolicyLoadError` naming file, line and problem.
        public func loadPolicies(onMissingDefault: (String) -> Void = { _ in }) throws(PolicyLoadError) -> PolicySet {
            if let policiesFolder { return try PolicySet.load(folder: policiesFolder, displayPath: policiesFolder.path) }
            let folder = defaultFolder
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                let base = baseFolder?.path ?? FileManager.default.currentDirectoryPath
                onMissingDefault("no folder \(Self.defaultFolderName)/ in \(base): "
                                 + "no retention policies, every message is kept")
                return .empty
            }
            return try PolicySet.load(folder: folder, displayPath: baseFolder == nil ? Self.defaultFolderName : folder.path)
        }
    }

    mutating func readRetentionSettings(_ reader: inout TOMLTableReader,
                                        resolve: (String) -> URL) throws(ConfigurationError) {
        if let path = try reader.string("retention_policies", nonEmpty: true) {
            retention.policiesFolder = resolve(path)
        }
        guard var table = try reader.table("retention") else { return }
        if let autoPurge = try table.bool("auto_purge") { retention.autoPurge = autoPurge }
        if let requireApproval = try table.bool("require_approval") { retention.requireApproval = requireApproval }
        if let text = try table.string("plan_time", nonEmpty: true) {
            guard let minutes = Self.minuteOfDay(text) else {
                throw table.error("plan_time", "must be a UTC time of day like \"03:00\", not \"\(text)\"")
            }
            retention.planMinuteOfDay = minutes
        }
        try table.finish()
    }

    /// `HH:MM` (24 hours) → minutes after midnight.
    static func minuteOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }
}
