import ArgumentParser
import Foundation
import MailStore

/// `tresor keys list|rotate`: the archive's chain of seal keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "The archive's seal keys: list the chain of keys, or rotate to a new one.",
        discussion: """
            The archive is sealed by one Ed25519 key at a time. The first is made by `tresor init`; \
            `tresor keys rotate` hands over to a new one with a record in the archive signed by both, \
            so `tresor verify --public-key` with the first key still accepts the whole archive.
            """,
        subcommands: [List.self, Rotate.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Show the chain of seal keys, oldest first, and where the private key is.",
            discussion: """
                Reads the archive's files only: no private key is needed. Each rotation is checked to \
                be signed by the key it hands over from and the key it hands over to.
                """)
        @OptionGroup var data: DataDirectoryOptions

        func run() async throws {
            let url = try data.requireInitialised()
            let chain = try MailStore.sealKeyChain(dataDirectory: url)
            print("root     \(chain.root.hex)  (the key the archive was created with)")
            for rotation in chain.rotations {
                print("rotated  \(rotation.record.new)  at \(Timestamp.string(rotation.record.time)), record \(rotation.location)")
            }
            print("current  \(chain.current.hex)")
            print("private key: \(MailStore.sealKeyPath(dataDirectory: url))")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Start a new seal key; the change is journaled, signed by the old and the new key.",
            discussion: """
                The new private key replaces the old one in its file (--new-key: is written to PATH \
                instead, and the old file is removed; point seal_key in tresor.toml at PATH). Every \
                seal after the rotation is signed by the new key; a running `tresor serve` switches \
                at its next write. Record the new public key outside this machine, as you did the first.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Option(name: .customLong("new-key"),
                help: ArgumentHelp("Where to write the new private key (mode 0600).",
                                   discussion: "Default: in place of the current private key.", valueName: "path"))
        var newKey: String?

        func run() async throws {
            let url = try data.requireInitialised()
            let store = try MailStore(dataDirectory: url)
            defer { store.close() }
            let rotation = try await store.rotateSealKey(newKeyPath: newKey, by: actor.auditActor)
            print("old key  \(rotation.record.old)")
            print("new key  \(rotation.record.new)  from record \(rotation.location)")
            print("private key: \(MailStore.sealKeyPath(dataDirectory: url))")
            if newKey != nil {
                print("set seal_key = \"\(MailStore.sealKeyPath(dataDirectory: url))\" in [archive] of tresor.toml")
            }
            print("Record the new public key outside this machine; `tresor verify --public-key` with the old one "
                  + "still accepts the archive.")
        }
    }
}
