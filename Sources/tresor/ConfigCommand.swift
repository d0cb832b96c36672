import ArgumentParser
import Foundation
import MailServer

/// `tresor config check|show`: the configuration file every command reads, checked and shown.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or show the configuration in force.",
        discussion: """
            Every command reads one configuration: --config PATH, else $TRESOR_CONFIG, else \
            ./tresor.toml, else /etc/tresor/tresor.toml, else the built-in defaults. Relative paths \
            in the file are taken relative to the file's folder. tresor.example.toml documents every key.
            """,
        subcommands: [Check.self, Show.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a configuration file and the policy folder it names; list every problem.",
            discussion: """
                Reads FILE (else the file the lookup finds) as `tresor serve` would: every key and value, \
                the files it names (TLS certificate and key, the relay password file, the TSAs' CA \
                files) and the retention policies in its policy folder. Prints every problem as \
                FILE:LINE: key: problem and exits 1 if there is any; changes nothing.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: ArgumentHelp("The file to check (default: the one the lookup finds).", valueName: "file"))
        var file: String?

        func run() async throws {
            let source = file.map { ConfigurationLookup.Source(kind: .flag, path: $0) }
                ?? ConfigurationLookup.locate(flag: data.config)
            guard let path = source.path, let url = source.file else {
                print("no configuration file (\(source)): nothing to check")
                return
            }
            let check = TresorConfiguration.checkThoroughly(fileAt: url, displayName: path)
            for line in check.lines { print(line) }
            guard check.isValid else {
                let count = check.lines.count
                FileHandle.standardError.write(Data("\(path): \(count) problem\(count == 1 ? "" : "s")\n".utf8))
                throw ExitCode(1)
            }
            let policies = check.policies?.policies.count ?? 0
            print("ok: \(url.path); \(policies) retention polic\(policies == 1 ? "y" : "ies") in "
                  + check.configuration.retention.effectiveFolder.path)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the configuration in force, every setting with its value (defaults filled in).",
            discussion: """
                Like `postconf` or `doveconf`: one `key = value` line per setting, after a comment naming \
                the file it came from and the data directory the commands use (with --data-dir and \
                $TRESOR_DATA_DIR applied). Paths are absolute; secrets are shown by their file only.
                """)
        @OptionGroup var data: DataDirectoryOptions

        func run() async throws {
            let located = try data.configuration()
            let location = data.location(located)
            print("# configuration: \(located.source)")
            print("# data directory: \(location.url.path) (\(location.originDescription))")
            for (key, value) in located.configuration.effectiveSettings {
                print("\(key) = \(value)")
            }
        }
    }
}
