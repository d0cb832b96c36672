import ArgumentParser
import Foundation
import MailServer

/// `--data-dir` on every command, with `TRESOR_DATA_DIR` and `./tresor-data` as fallbacks.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("The data directory (archive, catalog, keys).",
                               discussion: "Default: $TRESOR_DATA_DIR, else ./tresor-data.",
                               valueName: "path"))
    var dataDirectory: String?

    static let defaultPath = "tresor-data"

    var url: URL {
        let path = dataDirectory
            ?? ProcessInfo.processInfo.environment["TRESOR_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.defaultPath
        return URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// Fails with a clear message unless `tresor init` has made this data directory.
    func requireInitialised() throws -> URL {
        try Self.requireInitialised(url)
    }

    /// For the commands that read `tresor.toml` (`serve`, `retention`): --data-dir, else
    /// $TRESOR_DATA_DIR, else the configuration's data_dir, else ./tresor-data.
    func url(configuredBy configuration: TresorConfiguration) -> URL {
        let environment = ProcessInfo.processInfo.environment["TRESOR_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        if dataDirectory != nil || environment != nil { return url }
        return configuration.dataDirectory
            ?? URL(fileURLWithPath: Self.defaultPath, isDirectory: true).standardizedFileURL
    }

    /// The same check for a data directory that came from elsewhere (`tresor.toml`).
    static func requireInitialised(_ url: URL) throws -> URL {
        let keys = url.appendingPathComponent("keys/archive.ed25519.pub").path
        guard FileManager.default.fileExists(atPath: keys) else {
            throw CommandError("no Tresor data directory at \(url.path) (missing keys/archive.ed25519.pub): run `tresor init --data-dir \(url.path)` first")
        }
        return url
    }
}

/// A failure the user can act on, printed as `Error: <message>` with exit status 1 (a
/// `ValidationError` would also print the usage, which is beside the point here).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TresorConfiguration {
    /// `--config PATH`, else ./tresor.toml if it exists, else the defaults.
    static func load(config: String?) throws -> TresorConfiguration {
        if let config {
            return try TresorConfiguration.load(from: URL(fileURLWithPath: config), displayName: config)
        }
        let local = URL(fileURLWithPath: TresorConfiguration.defaultFileName)
        if FileManager.default.fileExists(atPath: local.path) {
            return try TresorConfiguration.load(from: local, displayName: TresorConfiguration.defaultFileName)
        }
        return TresorConfiguration()
    }
}
