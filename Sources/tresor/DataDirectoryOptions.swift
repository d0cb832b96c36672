import ArgumentParser
import Foundation

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
        let url = self.url
        let keys = url.appendingPathComponent("keys/archive.ed25519.pub").path
        guard FileManager.default.fileExists(atPath: keys) else {
            throw ValidationError("no Tresor data directory at \(url.path) (missing keys/archive.ed25519.pub): run `tresor init --data-dir \(url.path)` first")
        }
        return url
    }
}
