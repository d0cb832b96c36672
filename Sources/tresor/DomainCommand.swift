import ArgumentParser
import Foundation
import MailStore

/// `tresor domain add|list|del`: the domains this server receives mail for.
struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Manage the local domains (mail for them is delivered here).",
        subcommands: [Add.self, List.self, Delete.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a local domain.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The domain, e.g. example.org (stored in lower case).", valueName: "domain"))
        var domain: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.accounts.addDomain(domain, by: actor.auditActor)
                print("added domain \(domain.lowercased())")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the local domains.")
        @OptionGroup var data: DataDirectoryOptions

        func run() async throws {
            try await withStore(data) { store in
                for domain in try await store.accounts.domains() { print(domain) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Remove a local domain that has no users and no aliases left.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The domain.", valueName: "domain")) var domain: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.accounts.removeDomain(domain, by: actor.auditActor)
                print("removed domain \(domain.lowercased())")
            }
        }
    }
}

/// Opens the store of an initialised data directory for one account command and closes it after.
/// Account errors (unknown user, domain not local, …) print as `Error: <what was wrong>`, exit 1.
func withStore(_ data: DataDirectoryOptions, _ body: (MailStore) async throws -> Void) async throws {
    let url = try data.requireInitialised()
    let store = try MailStore(dataDirectory: url)
    defer { store.close() }
    try await body(store)
}
