import ArgumentParser
import Foundation
import MailServer
import Retention

/// Where `tresor retention` finds its policies: `--policies DIR` wins; else `retention_policies`
/// of the configuration (found as every command finds it, `DataDirectoryOptions`), else
/// `retention-policies` beside the configuration file (missing: no policies, everything is kept).
struct RetentionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The folder of policy files (*.toml directly in it).",
                               discussion: "Default: retention_policies in the configuration, else retention-policies beside it.",
                               valueName: "dir"))
    var policies: String?

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
