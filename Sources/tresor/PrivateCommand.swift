import ArgumentParser
import Foundation
import MailStore
import Retention

/// `tresor private set|show`: the private-mail rule, which marks the messages auditor scopes and
/// case exports leave out unless a case names them.
struct PrivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "private",
        abstract: "The private-mail rule: which messages auditors and case exports leave out.",
        subcommands: [SetRule.self, Show.self]
    )

    struct SetRule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set the rule (replacing the one in force; no option: no rule).",
            discussion: """
                A message is private when it is filed in the folder (or below it) in any user's \
                mailboxes, carries the IMAP keyword, or matches the query. Example: tresor private \
                set --folder Privat --keyword '$Private'. Signed with your operator key (admin or \
                compliance) and journaled in the archive, so every version of the rule is kept.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Option(help: ArgumentHelp("A folder name, e.g. Privat.", valueName: "folder")) var folder: String?
        @Option(help: ArgumentHelp("An IMAP keyword, e.g. $Private.", valueName: "keyword")) var keyword: String?
        @Option(help: ArgumentHelp("A query in the search language.", valueName: "query")) var query: String?

        func run() async throws {
            try await withStore(data) { store in
                let rule = PrivateMailRule(folder: folder, keyword: keyword, query: query)
                let setting = try await store.compliance.setPrivateMailRule(rule, by: try await signing.signer())
                print("private-mail rule set: \(setting.rule.description)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "The private-mail rule in force, who set it and when.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption

        func run() async throws {
            try await withStore(data) { store in
                guard let setting = try await store.compliance.privateMailRule(by: actor.auditActor) else {
                    print("no private-mail rule")
                    return
                }
                print("rule: \(setting.rule.description)")
                print("set: \(RetentionRunner.timestamp(setting.setAt)) by \(setting.setBy)")
            }
        }
    }
}
