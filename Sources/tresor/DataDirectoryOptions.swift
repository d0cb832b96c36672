import ArgumentParser
import Foundation
import MailServer

/// `--config` and `--data-dir` on every command: the one place where a command learns which
/// configuration file it runs under and which data directory it works on.
///
/// The configuration: `--config`, else `$TRESOR_CONFIG`, else ./tresor.toml, else
/// /etc/tresor/tresor.toml, else the built-in defaults (`ConfigurationLookup`). The data
/// directory: `--data-dir`, else `$TRESOR_DATA_DIR`, else `data_dir` in that file, else
/// ./tresor-data.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("config"),
            help: ArgumentHelp("The configuration file.",
                               discussion: "Default: $TRESOR_CONFIG, else ./tresor.toml, else /etc/tresor/tresor.toml if it exists.",
                               valueName: "path"))
    var config: String?

    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("The data directory (archive, catalog, keys).",
                               discussion: "Default: $TRESOR_DATA_DIR, else data_dir in the configuration, else ./tresor-data.",
                               valueName: "path"))
    var dataDirectory: String?

    static let defaultPath = "tresor-data"
    static let environmentVariable = "TRESOR_DATA_DIR"

    /// The configuration file this command runs under, read and validated.
    func configuration() throws -> LocatedConfiguration {
        try ConfigurationLookup.load(flag: config)
    }

    /// The data directory and how it was chosen.
    func location(_ located: LocatedConfiguration) -> DataDirectoryLocation {
        let environment = ProcessInfo.processInfo.environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        let named = located.configuration.dataDirectory
        if let dataDirectory {
            return DataDirectoryLocation(url: Self.url(dataDirectory), origin: .flag, configured: named, source: located.source)
        }
        if let environment {
            return DataDirectoryLocation(url: Self.url(environment), origin: .environment, configured: named,
                                         source: located.source)
        }
        if let named {
            return DataDirectoryLocation(url: named, origin: .configuration, configured: named, source: located.source)
        }
        return DataDirectoryLocation(url: Self.url(Self.defaultPath), origin: .default, configured: nil, source: located.source)
    }

    /// The data directory, whether or not it exists yet (`tresor init` makes it).
    func location() throws -> DataDirectoryLocation {
        location(try configuration())
    }

    /// Fails with a clear message unless `tresor init` has made this data directory.
    func requireInitialised() throws -> URL {
        try location().requireInitialised()
    }

    private static func url(_ path: String) -> URL {
        URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// The check for a data directory named some other way (`verify-export --data-dir`).
    static func requireInitialised(_ url: URL) throws -> URL {
        try DataDirectoryLocation(url: url, origin: .flag, configured: nil, source: nil).requireInitialised()
    }
}

/// A data directory and where the command got it from, so that a missing one is reported with
/// the setting to correct, never with advice that would make a second archive beside the one a
/// configuration names.
struct DataDirectoryLocation {
    enum Origin { case flag, environment, configuration, `default` }
    var url: URL
    var origin: Origin
    /// `data_dir` of the configuration, when it names one.
    var configured: URL?
    /// The configuration file in force.
    var source: ConfigurationLookup.Source?

    /// "--data-dir", "$TRESOR_DATA_DIR", "data_dir in /etc/tresor/tresor.toml", "the default".
    var originDescription: String {
        switch origin {
        case .flag: "given by --data-dir"
        case .environment: "given by $\(DataDirectoryOptions.environmentVariable)"
        case .configuration: "named by data_dir in \(source?.file?.path ?? "the configuration")"
        case .default:
            if let source, source.kind != .builtIn {
                "the default ./\(DataDirectoryOptions.defaultPath): no --data-dir, no $\(DataDirectoryOptions.environmentVariable), "
                    + "no data_dir in \(source)"
            } else {
                "the default ./\(DataDirectoryOptions.defaultPath): no --data-dir, no $\(DataDirectoryOptions.environmentVariable), "
                    + "and no configuration file"
            }
        }
    }

    func requireInitialised() throws -> URL {
        let keys = url.appendingPathComponent("keys/archive.ed25519.pub").path
        guard !FileManager.default.fileExists(atPath: keys) else { return url }
        let problem = "no Tresor data directory at \(url.path) (\(originDescription); it has no keys/archive.ed25519.pub)"
        let advice: String
        switch origin {
        case .configuration:
            // The configuration names the archive: making a new one elsewhere would split the mail.
            advice = "check data_dir in \(source?.file?.path ?? "the configuration") and that its disk is mounted; "
                + "only on a new installation does `tresor init` make the archive there"
        case .flag, .environment:
            if let configured, configured.path != url.path {
                advice = "the configuration \(source.map { "\($0)" } ?? "") names data_dir \(configured.path): "
                    + "leave out --data-dir and $\(DataDirectoryOptions.environmentVariable) to use it"
            } else {
                advice = "check the path; on a new installation `tresor init --data-dir \(url.path)` makes it"
            }
        case .default:
            advice = "run `tresor init` to make one here, or name an existing one with --data-dir, "
                + "$\(DataDirectoryOptions.environmentVariable) or data_dir in the configuration (--config)"
        }
        throw CommandError("\(problem): \(advice)")
    }
}

/// A failure the user can act on, printed as `Error: <message>` with exit status 1 (a
/// `ValidationError` would also print the usage, which is beside the point here).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
