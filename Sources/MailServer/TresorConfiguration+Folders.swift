#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// The top-level `exports_dir` key, and the base of the default folders:
    /// ```toml
    /// exports_dir = "exports"   # where `tresor export` writes without --out (relative: to this file)
    /// ```
    /// A file read from `/etc/tresor/tresor.toml` that names no policy or export folder means
    /// `/etc/tresor/retention-policies` and `/etc/tresor/exports`, whichever folder a command runs
    /// from: the folders belong to the configuration, not to the shell that started the command.
    mutating func readFolderSettings(_ reader: inout TOMLTableReader,
                                     resolve: (String) -> URL) throws(ConfigurationError) {
        retention.baseFolder = folder
        if let path = try reader.string("exports_dir", nonEmpty: true) { exportsFolder = resolve(path) }
    }

    /// The folder name `exports_dir` defaults to.
    public static let defaultExportsFolderName = "exports"

    /// Where `tresor export` writes without `--out`: `exports_dir`, else `exports` beside the file
    /// (the working directory when no file was read).
    public var effectiveExportsFolder: URL {
        exportsFolder ?? URL(fileURLWithPath: Self.defaultExportsFolderName, isDirectory: true, relativeTo: folder)
            .standardizedFileURL
    }
}
