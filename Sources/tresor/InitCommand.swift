import ArgumentParser
import MailStore
import Foundation

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a data directory: the archive, its signing key and the catalog.",
        discussion: """
            Prints the archive's Ed25519 public key. Give it to your auditors, and keep it \
            somewhere off this machine: `tresor verify --public-key` and `tresor verify-export \
            --public-key` check the seals of every archive segment and the signatures of exports \
            against it, without the server. With --seal-key the private key is written there \
            (mode 0600) instead of into DATA/keys/, which then holds the public key only. Refuses \
            to touch a data directory that already has a key.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Option(name: .customLong("seal-key"),
            help: ArgumentHelp("Where to write the private seal key, outside the data directory.",
                               discussion: "Default: DATA/keys/archive.ed25519.", valueName: "path"))
    var sealKey: String?

    func run() async throws {
        let url = data.url
        let publicKey = try await MailStore.initialise(dataDirectory: url, sealKeyPath: sealKey, by: actor.auditActor)
        print("Initialised \(url.path)")
        if sealKey != nil { print("Private seal key: \(MailStore.sealKeyPath(dataDirectory: url))") }
        print("Archive public key (Ed25519): \(publicKey)")
    }
}
