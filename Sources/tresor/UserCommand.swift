import ArgumentParser
import Foundation
import MailStore

/// `tresor user add|passwd|list|del|quota`: accounts in the local domains.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users (mail accounts in the local domains).",
        subcommands: [Add.self, Password.self, List.self, Delete.self, Quota.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a user with the folders INBOX, Sent, Drafts, Trash, Junk and Archive.",
            discussion: """
                The domain must be local (`tresor domain add`). The password is asked for on the \
                terminal, or read from the first line of standard input with --password-stdin; only \
                its scrypt hash is stored.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var password: PasswordOptions
        @Argument(help: ArgumentHelp("The user's address, e.g. anna@example.org.", valueName: "email")) var email: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.accounts.addUser(email, password: try password.read(), by: actor.auditActor)
                print("added user \(email.lowercased())")
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a user's password.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var password: PasswordOptions
        @Argument(help: ArgumentHelp("The user's address.", valueName: "email")) var email: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.accounts.setPassword(email, password: try password.read(), by: actor.auditActor)
                print("changed the password of \(email.lowercased())")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users.")
        @OptionGroup var data: DataDirectoryOptions

        func run() async throws {
            try await withStore(data) { store in
                for user in try await store.accounts.users() { print(user) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del",
            abstract: "Remove a user with its mailboxes.",
            discussion: "The archive keeps every message the user sent or received.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The user's address.", valueName: "email")) var email: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.accounts.removeUser(email, by: actor.auditActor)
                print("removed user \(email.lowercased())")
            }
        }
    }
}
