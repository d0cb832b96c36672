import ArgumentParser
import Foundation
import Logging
import MailServer

/// `tresor serve`: the mail server on one data directory, configured by `tresor.toml`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the mail server: SMTP, submission, IMAP, POP3 and ManageSieve.",
        discussion: """
            Listeners (default ports; listen_address, default 127.0.0.1, is the address of every \
            one that names none): SMTP for incoming mail (MX) 2525, submission with STARTTLS 2587, \
            submissions with implicit TLS 2465, IMAP with STARTTLS 2143, IMAPS 2993, POP3 with STLS \
            2110, POP3S 2995, ManageSieve 4190; in production 25, 587, 465, 143, 993, 110, 995, \
            4190. Reads the configuration --config, else $TRESOR_CONFIG, else ./tresor.toml, else \
            /etc/tresor/tresor.toml, else the built-in defaults (domain localhost). The data \
            directory comes from --data-dir, else $TRESOR_DATA_DIR, else data_dir in the file, else \
            ./tresor-data, and must have been made by `tresor init`. Prints "listening NAME ADDRESS:PORT" per \
            listener, then "ready" once every start-up check passed. SIGTERM or SIGINT stops \
            accepting, finishes the transactions in flight, closes the archive and exits 0. SIGHUP \
            reloads the TLS certificate, the retention policies and the Sieve scripts (open \
            connections are kept). One server per data directory: DATA/serve.lock is held while \
            it runs. The log goes to standard error, as log_format says ("text" or "json").
            """
    )

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical."))
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level \(logLevel)") }
    }

    func run() async throws {
        let located = try data.configuration()
        let configuration = located.configuration
        let dataDirectory = try data.location(located).requireInitialised()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        ServerLogging.bootstrap(format: configuration.logFormat, level: level)
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
