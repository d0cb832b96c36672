import Foundation
import MailServer

/// Where every command finds its configuration: `--config PATH`, else `$TRESOR_CONFIG`, else
/// `./tresor.toml`, else `/etc/tresor/tresor.toml`, else the built-in defaults. A file named by
/// the flag or the variable must exist; the two fixed places are used only when they do.
enum ConfigurationLookup {
    static let environmentVariable = "TRESOR_CONFIG"
    static let systemPath = "/etc/tresor/tresor.toml"

    /// The file the lookup settles on, and how it was found.
    struct Source: CustomStringConvertible {
        enum Kind { case flag, environment, workingDirectory, system, builtIn }
        var kind: Kind
        /// The path as the user named it (for messages); nil for the built-in defaults.
        var path: String?

        var file: URL? { path.map { URL(fileURLWithPath: $0).standardizedFileURL } }

        /// Where the configuration came from, for messages: "/srv/tresor.toml (--config)".
        var description: String {
            switch kind {
            case .flag: "\(file!.path) (--config)"
            case .environment: "\(file!.path) ($\(ConfigurationLookup.environmentVariable))"
            case .workingDirectory: "\(file!.path) (./\(TresorConfiguration.defaultFileName) in the working directory)"
            case .system: "\(ConfigurationLookup.systemPath)"
            case .builtIn: "the built-in defaults (no --config, no $\(ConfigurationLookup.environmentVariable), "
                + "no ./\(TresorConfiguration.defaultFileName), no \(ConfigurationLookup.systemPath))"
            }
        }
    }

    static func locate(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Source {
        if let flag { return Source(kind: .flag, path: flag) }
        if let path = environment[environmentVariable], !path.isEmpty { return Source(kind: .environment, path: path) }
        if FileManager.default.fileExists(atPath: TresorConfiguration.defaultFileName) {
            return Source(kind: .workingDirectory, path: TresorConfiguration.defaultFileName)
        }
        if FileManager.default.fileExists(atPath: systemPath) { return Source(kind: .system, path: systemPath) }
        return Source(kind: .builtIn, path: nil)
    }

    /// The configuration the lookup finds. A file with problems fails with every one of them,
    /// each as `FILE:LINE: key: problem`.
    static func load(flag: String?) throws -> LocatedConfiguration {
        let source = locate(flag: flag)
        guard let path = source.path, let file = source.file else {
            return LocatedConfiguration(configuration: TresorConfiguration(), source: source)
        }
        let (configuration, problems) = TresorConfiguration.check(fileAt: file, displayName: path)
        guard problems.isEmpty else {
            throw CommandError(problems.map(\.description).joined(separator: "\n")
                               + "\n(`tresor config check \(path)` lists the problems of a file)")
        }
        return LocatedConfiguration(configuration: configuration, source: source)
    }
}

/// A configuration with the place it was read from.
struct LocatedConfiguration {
    var configuration: TresorConfiguration
    var source: ConfigurationLookup.Source
}
