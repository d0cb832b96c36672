import ArgumentParser
import Foundation
import MailStore

/// `tresor alias add|list|del`: addresses in the local domains that forward to others.
struct AliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias",
        abstract: "Manage aliases (addresses that expand to users, other aliases or remote addresses).",
        subcommands: [Add.self, List.self, Delete.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add an alias in a local domain.",
            discussion: "An alias that would expand into itself is refused. A user may send as an alias that reaches only that user.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The alias address, e.g. team@example.org.", valueName: "address")) var address: String
        @Argument(help: ArgumentHelp("Where its mail goes.", valueName: "target")) var targets: [String]

        func validate() throws {
            if targets.isEmpty { throw ValidationError("name at least one target") }
        }

        func run() async throws {
            try await withStore(data) { store in
                try await store.accounts.addAlias(address, targets: targets, by: actor.auditActor)
                print("added alias \(address.lowercased()) -> \(targets.joined(separator: ", "))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the aliases and their targets.")
        @OptionGroup var data: DataDirectoryOptions

        func run() async throws {
            try await withStore(data) { store in
                for (address, targets) in try await store.accounts.aliases() {
                    print("\(address) -> \(targets.joined(separator: ", "))")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Remove an alias.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The alias address.", valueName: "address")) var address: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.accounts.removeAlias(address, by: actor.auditActor)
                print("removed alias \(address.lowercased())")
            }
        }
    }
}
