import ArgumentParser
import Export
// Linked for its effect: before `main`, a handler for fatal signals (SIGSEGV, SIGILL, SIGABRT, …)
// that writes one line naming the signal to standard error, on a per-thread signal stack, and
// then lets the signal end the process, so a crash is never silent and never exits 0.
import CrashSignals

/// The `tresor` command line: one program for the server and for the people who search,
/// hold, export and verify the archive. Every command that touches the archive is audited.
@main
struct Tresor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tresor",
        abstract: "A mail server that keeps every message in a tamper-evident archive.",
        discussion: """
            `tresor serve` runs SMTP (MX), submission (STARTTLS) and submissions (implicit TLS), \
            IMAP and IMAPS, POP3 and POP3S, and ManageSieve; every message it accepts is journaled \
            into the archive. Every command reads one configuration: --config PATH, else \
            $TRESOR_CONFIG, else ./tresor.toml, else /etc/tresor/tresor.toml, else the built-in \
            defaults (`tresor config show` prints it, `tresor config check` validates it). Every \
            command works on one data directory: --data-dir, else $TRESOR_DATA_DIR, else data_dir \
            in the configuration, else ./tresor-data. Start with `tresor init`.
            """,
        version: TresorVersion.current,
        subcommands: [
            InitCommand.self,
            ConfigCommand.self,
            ServeCommand.self,
            ImportCommand.self,
            SearchCommand.self,
            ShowCommand.self,
            VerifyCommand.self,
            AnchorCommand.self,
            KeysCommand.self,
            ReindexCommand.self,
            AuditCommand.self,
            DomainCommand.self, UserCommand.self, AliasCommand.self,
            RulesCommand.self,
            OperatorCommand.self, HoldCommand.self, RestrictCommand.self, PrivateCommand.self, RetentionCommand.self,
            ReportCommand.self,
            ExportCommand.self, VerifyExportCommand.self,
            QueueCommand.self, QuarantineCommand.self, DkimCommand.self,
            StatusCommand.self, BackupCommand.self, RestoreCommand.self,
        ]
    )
}
