import ArgumentParser
import Foundation
import MailStore

/// `tresor operator passwd|scope|search`: auditors' read-only IMAP access to the archive. Each change
/// is a governance record signed with an operator key (`--operator`, `--key`).
extension OperatorCommand {
    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd", abstract: "Set an auditor's or compliance operator's IMAP password.",
            discussion: """
                Signed by the operator themself or by an admin. Only the password's scrypt hash is \
                journaled. The operator then logs in over IMAP with their operator name (no @) and \
                sees the read-only tree of their scope (`tresor operator scope`).
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @OptionGroup var password: PasswordOptions
        @Argument(help: ArgumentHelp("The operator.", valueName: "name")) var name: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.compliance.setOperatorPassword(name, password: try password.read(),
                                                               by: try await signing.signer())
                print("IMAP password of \(name) set")
            }
        }
    }

    struct Scope: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scope", abstract: "Set what an auditor may read over IMAP: cases and/or a query.",
            discussion: """
                Signed by an admin or a compliance operator. The scope is every message of each \
                --case (a legal hold) together with every message --query matches; it replaces the \
                previous scope. Without --case or --query the operator sees nothing. Messages a \
                restriction of processing hides, and private mail (`tresor private`), stay out of the \
                scope; --include-restricted lets the first in.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The operator.", valueName: "name")) var name: String
        @Option(name: .customLong("case"), help: ArgumentHelp("A legal hold the operator may read (repeatable).",
                                                              valueName: "hold"))
        var cases: [String] = []
        @Option(help: ArgumentHelp("A query whose messages the operator may read.", valueName: "query")) var query: String?
        @Flag(name: .customLong("include-restricted"),
              help: "Also show messages a restriction of processing hides from their owners (GDPR Art. 18).")
        var includeRestricted = false

        func run() async throws {
            try await withStore(data) { store in
                try await store.compliance.setAuditorScope(name, cases: cases, query: query,
                                                           includeRestricted: includeRestricted,
                                                           by: try await signing.signer())
                print("scope of \(name): "
                      + AuditorScopeDefinition(cases: cases, query: query, includeRestricted: includeRestricted).summary)
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search", abstract: "An auditor's saved searches, shown as Searches/NAME within the scope.",
            subcommands: [Add.self, Remove.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Save (or replace) a search.")
            @OptionGroup var data: DataDirectoryOptions
            @OptionGroup var signing: OperatorOption
            @Argument(help: ArgumentHelp("The operator.", valueName: "name")) var name: String
            @Argument(help: ArgumentHelp("The search's name (its folder).", valueName: "search")) var search: String
            @Argument(help: ArgumentHelp("The query.", valueName: "query")) var query: String

            func run() async throws {
                try await withStore(data) { store in
                    try await store.compliance.saveAuditorSearch(name, search: search, query: query,
                                                                 by: try await signing.signer())
                    print("search \(search) saved for \(name)")
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a saved search.")
            @OptionGroup var data: DataDirectoryOptions
            @OptionGroup var signing: OperatorOption
            @Argument(help: ArgumentHelp("The operator.", valueName: "name")) var name: String
            @Argument(help: ArgumentHelp("The search's name.", valueName: "search")) var search: String

            func run() async throws {
                try await withStore(data) { store in
                    try await store.compliance.removeAuditorSearch(name, search: search, by: try await signing.signer())
                    print("search \(search) of \(name) removed")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list",
                                                            abstract: "An operator's IMAP access: password set, scope, searches.")
            @OptionGroup var data: DataDirectoryOptions
            @OptionGroup var actor: ActorOption
            @Argument(help: ArgumentHelp("The operator.", valueName: "name")) var name: String

            func run() async throws {
                try await withStore(data) { store in
                    let access = try await store.compliance.operatorAccess(of: name)
                    print("password\t\(access?.hasPassword == true ? "set" : "not set")")
                    print("scope\t\(access?.scope?.summary ?? "nothing")")
                    for (search, query) in (access?.searches ?? [:]).sorted(by: { $0.key < $1.key }) {
                        print("search\t\(search)\t\(query)")
                    }
                    try await store.compliance.record("operator search list", detail: name,
                                                      resultCount: access?.searches.count ?? 0, by: actor.auditActor)
                }
            }
        }
    }
}
