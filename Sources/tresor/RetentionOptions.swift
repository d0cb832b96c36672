import ArgumentParser
import Foundation
import MailServer
import Retention

/// Where `tresor retention` finds its policies and settings: `--policies DIR` wins; else
/// `retention_policies` of the configuration (`--config`, else ./tresor.toml if it exists), else
/// ./retention-policies (missing: no policies, everything is kept). `require_approval` comes from the
/// configuration. The data directory is found as `tresor serve` finds it.
struct RetentionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The configuration file.", discussion: "Default: ./tresor.toml if it exists.",
                               valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The folder of policy files (*.toml directly in it).",
                               discussion: "Default: retention_policies in the configuration, else ./retention-policies.",
                               valueName: "dir"))
    var policies: String?

    func configuration() throws -> TresorConfiguration {
        try TresorConfiguration.load(config: config)
    }

    /// The policies; problems are thrown (every file checked, each problem with file and line).
    func loadPolicies(_ configuration: TresorConfiguration) throws -> PolicySet {
        if let policies {
            return try PolicySet.load(folder: URL(fileURLWithPath: policies, isDirectory: true).standardizedFileURL,
                                      displayPath: policies)
        }
        return try configuration.retention.loadPolicies { message in
            FileHandle.standardError.write(Data("note: \(message)\n".utf8))
        }
    }
}

/// `--as-of YYYY-MM-DD`, shared by `list` and `apply`.
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"),
            help: ArgumentHelp("Evaluate as if it were the start of this day, 00:00 UTC.",
                               discussion: "YYYY-MM-DD. Default: now.", valueName: "date"))
    var asOf: String?

    func validate() throws {
        if let asOf, RetentionDate.parse(asOf) == nil {
            throw ValidationError("--as-of takes a date YYYY-MM-DD, not \"\(asOf)\"")
        }
    }

    var date: Date { asOf.flatMap(RetentionDate.parse) ?? Date() }
}
