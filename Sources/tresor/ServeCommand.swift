import ArgumentParser
import Foundation
import Logging
import MailServer

/// `tresor serve`: the mail server on one data directory, configured by `tresor.toml`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the mail server: SMTP (MX), submission and implicit-TLS submission.",
        discussion: """
            Reads --config, else ./tresor.toml if it exists, else uses the built-in defaults \
            (domain localhost; 127.0.0.1 ports 2525, 2587, 2465). The data directory comes from \
            --data-dir, else $TRESOR_DATA_DIR, else data_dir in the file, else ./tresor-data, and \
            must have been made by `tresor init`. Prints "listening NAME ADDRESS:PORT" per \
            listener, then "ready". SIGTERM or SIGINT stops accepting, finishes the transactions \
            in flight, closes the archive and exits 0.
            """
    )

    @Option(help: ArgumentHelp("The configuration file.", discussion: "Default: ./tresor.toml if it exists.",
                               valueName: "path"))
    var config: String?

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical."))
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level \(logLevel)") }
    }

    func run() async throws {
        let configuration = try TresorConfiguration.load(config: config)
        let dataDirectory = try DataDirectoryOptions.requireInitialised(data.url(configuredBy: configuration))
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tresor.serve")
        let server = MailServer(configuration: configuration, dataDirectory: dataDirectory, logger: logger)
        try await server.run { bound in
            let listeners = [("smtp", configuration.smtp), ("submission", configuration.submission),
                             ("submissions", configuration.submissions), ("pop3", configuration.pop3),
                             ("pop3s", configuration.pop3s), ("imap", configuration.imap),
                             ("imaps", configuration.imaps), ("managesieve", configuration.manageSieve.listener)]
            var lines = ""
            for (name, listener) in listeners {
                guard let port = bound[name] else { continue }
                let host = listener.address.contains(":") ? "[\(listener.address)]" : listener.address
                lines += "listening \(name) \(host):\(port)\n"
            }
            if let port = bound["metrics"] {
                let address = configuration.metrics.address
                lines += "listening metrics \(address.contains(":") ? "[\(address)]" : address):\(port)\n"
            }
            lines += "ready\n"
            FileHandle.standardOutput.write(Data(lines.utf8))
        }
        logger.info("stopped")
    }
}
