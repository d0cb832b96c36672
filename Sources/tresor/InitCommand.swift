import ArgumentParser
import MailStore
import Foundation

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a data directory: the archive, its signing key and the catalog.",
        discussion: """
            Prints the archive's Ed25519 public key. Give it to your auditors: it checks the \
            seals of every archive segment and the signatures of exports, without the server. \
            Refuses to touch a data directory that already has a key.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let url = data.url
        let publicKey = try await MailStore.initialise(dataDirectory: url, by: actor.auditActor)
        print("Initialised \(url.path)")
        print("Archive public key (Ed25519): \(publicKey)")
    }
}
