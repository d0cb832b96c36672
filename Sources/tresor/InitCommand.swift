import ArgumentParser
import Foundation
import MailStore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a data directory: the archive, its signing key, the catalog and the first operator.",
        discussion: """
            Prints the archive's Ed25519 public key. Give it to your auditors: it checks the \
            seals of every archive segment and the signatures of exports, without the server. \
            Refuses to touch a data directory that already has a key. Then makes the first \
            operator, an admin (--operator, else the OS user), whose key is written outside the \
            data directory (--key, else ~/.config/tresor/operators/NAME.key; an existing key there \
            is used) and encrypted with a passphrase (--passphrase-file, TRESOR_PASSPHRASE, or \
            asked). Without any way to get a passphrase, no operator is made: \
            `tresor operator add NAME --role admin` makes the first one later.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @OptionGroup var signing: OperatorOption
    @Flag(name: .customLong("no-operator"), help: "Make no operator now.") var noOperator = false

    func run() async throws {
        let url = data.url
        let publicKey = try await MailStore.initialise(dataDirectory: url, by: actor.auditActor)
        print("Initialised \(url.path)")
        print("Archive public key (Ed25519): \(publicKey)")
        let environment = ProcessInfo.processInfo.environment
        guard !noOperator,
            OperatorOption.passphraseAvailable(file: signing.passphraseFile, environment: environment)
        else {
            print("No operator made yet: governance (holds, purges, settings) needs one — "
                  + "`tresor operator add NAME --role admin` makes the first")
            return
        }
        let name = signing.name
        guard ComplianceService.isValidOperatorName(name) else {
            throw CommandError("\"\(name)\" is no operator name: give --operator NAME (letters, digits, . _ -)")
        }
        let path = signing.keyPath
        let passphrase = try OperatorOption.passphrase(file: signing.passphraseFile, environment: environment,
                                                       prompt: "Passphrase for the operator key of \(name): ")
        let key: OperatorKey
        if FileManager.default.fileExists(atPath: path.path) {
            key = try await OperatorKeyFile.read(from: path, passphrase: passphrase, expecting: name)
            print("Operator key of \(name) found at \(path.path)")
        } else {
            key = try await OperatorCommand.makeKey(name, passphrase: passphrase, at: path, dataDirectory: url)
            print("Operator key of \(name) written to \(path.path) (keep it, and its passphrase, safe)")
        }
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        let record = OperatorRecord(name: name, role: .admin, publicKey: key.publicKeyHex)
        try await store.compliance.addOperator(record, by: .operatorKey(key, osUser: AuditActor.operatingSystemUser))
        print("Operator \(name) added: admin, fingerprint \(record.fingerprint)")
    }
}
