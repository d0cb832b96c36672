import ArgumentParser
import MailStore

/// `--actor` on every command that is audited: a name for the audit log, recorded beside the OS
/// account that ran the command (never instead of it).
struct ActorOption: ParsableArguments {
    @Option(help: ArgumentHelp("A name for the audit log, kept beside your OS account.",
                               discussion: "Default: the OS user alone.", valueName: "name"))
    var actor: String?

    /// Who the audit trail names.
    var auditActor: AuditActor { .commandLine(label: actor) }
}
