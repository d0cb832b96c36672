import ArgumentParser
import Foundation
import MailServer
import MailStore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a data directory: the archive, its signing key, the catalog and the first operator.",
        discussion: """
            Prints the archive's Ed25519 public key. Give it to your auditors, and keep it \
            somewhere off this machine: `tresor verify --public-key` and `tresor verify-export \
            --public-key` check the seals of every archive segment and the signatures of exports \
            against it, without the server. With --seal-key the private key is written there \
            (mode 0600) instead of into DATA/keys/, which then holds the public key only. Refuses \
            to touch a data directory that already has a key. Then makes the first \
            operator, an admin (--operator, else the OS user), whose key is written outside the \
            data directory (--key, else ~/.config/tresor/operators/NAME.key; an existing key there \
            is used) and encrypted with a passphrase (--passphrase-file, TRESOR_PASSPHRASE, or \
            asked). Without any way to get a passphrase, no operator is made: \
            `tresor operator add NAME --role admin` makes the first one later. The data directory \
            and the local domains (`domains`, default localhost) come from the configuration \
            (--config, else $TRESOR_CONFIG, else ./tresor.toml, else /etc/tresor/tresor.toml), so \
            `tresor user add NAME@DOMAIN` works at once.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @OptionGroup var signing: OperatorOption
    @Flag(name: .customLong("no-operator"), help: "Make no operator now.") var noOperator = false
    @Option(name: .customLong("seal-key"),
            help: ArgumentHelp("Where to write the private seal key, outside the data directory.",
                               discussion: "Default: archive.seal_key in the configuration, else DATA/keys/archive.ed25519.",
                               valueName: "path"))
    var sealKey: String?

    func run() async throws {
        // The configuration is read, and refused with every problem, before anything is made.
        let located = try data.configuration()
        let url = data.location(located).url
        let sealKeyPath = sealKey ?? located.configuration.archive.sealKey?.path
        let publicKey = try await MailStore.initialise(dataDirectory: url, sealKeyPath: sealKeyPath, by: actor.auditActor)
        print("Initialised \(url.path)")
        if sealKeyPath != nil { print("Private seal key: \(MailStore.sealKeyPath(dataDirectory: url))") }
        try await addDomains(located.configuration.domains, in: url, sealKeyPath: sealKeyPath)
        print("Archive public key (Ed25519): \(publicKey)")
        let environment = ProcessInfo.processInfo.environment
        guard !noOperator,
            OperatorOption.passphraseAvailable(file: signing.passphraseFile, environment: environment)
        else {
            print("No operator made yet: governance (holds, purges, settings) needs one — "
                  + "`tresor operator add NAME --role admin` makes the first")
            return
        }
        do {
            try await makeFirstOperator(in: url, environment: environment)
        } catch {
            // The data directory is made and usable; only governance waits for an operator.
            throw CommandError("the data directory is ready, but no operator was made: \(error) — "
                               + "`tresor operator add NAME --role admin` makes the first")
        }
    }

    /// The configured local domains, so that users can be added in them at once (`serve` would add
    /// them at its first start too).
    private func addDomains(_ domains: [String], in url: URL, sealKeyPath: String?) async throws {
        let store = try MailStore(dataDirectory: url, sealKeyPath: sealKeyPath)
        defer { store.close() }
        let known = Set(try await store.accounts.domains())
        for domain in domains where !known.contains(domain) {
            try await store.accounts.addDomain(domain, by: actor.auditActor)
        }
        print("Local domains: \(domains.joined(separator: ", "))")
    }

    /// The first operator, an admin signing for themselves, with a key found at or written to the
    /// operator's key path. A new key's passphrase typed on the terminal is asked twice.
    private func makeFirstOperator(in url: URL, environment: [String: String]) async throws {
        let name = signing.name
        guard ComplianceService.isValidOperatorName(name) else {
            throw CommandError("\"\(name)\" is no operator name: give --operator NAME (letters, digits, . _ -)")
        }
        let path = signing.keyPath
        let exists = FileManager.default.fileExists(atPath: path.path)
        let passphrase = try OperatorOption.passphrase(file: signing.passphraseFile, environment: environment,
                                                       prompt: "Passphrase for the operator key of \(name): ")
        let typed = signing.passphraseFile == nil && (environment["TRESOR_PASSPHRASE"] ?? "").isEmpty
        if !exists, typed, try OperatorOption.passphrase(file: nil, environment: [:], prompt: "Again: ") != passphrase {
            throw CommandError("the passphrases differ")
        }
        let key: OperatorKey
        if exists {
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
