import ArchiveStore
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
        let keys = url.appendingPathComponent("keys", isDirectory: true)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let key = try ArchiveKey.create(inKeysDirectory: keys)
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        try await store.audit(actor: actor.name, action: "init", detail: url.path)
        print("Initialised \(url.path)")
        print("Archive public key (Ed25519): \(key.publicKeyHex)")
    }
}
