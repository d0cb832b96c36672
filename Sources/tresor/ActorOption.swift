import ArgumentParser
import MailStore

/// `--actor` on every command that is audited: who runs it, for the audit log.
struct ActorOption: ParsableArguments {
    @Option(help: ArgumentHelp("Who runs this, for the audit log.", discussion: "Default: the OS user.",
                               valueName: "name"))
    var actor: String?

    var name: String { actor ?? MailStore.operatingSystemUser }
}
