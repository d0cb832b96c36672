import ArgumentParser
import Foundation
import MailStore

/// `tresor operator add|revoke|list|keygen|passwd|scope|search`: the people whose keys sign governance,
/// and auditors' IMAP access (`OperatorAccessCommands.swift`).
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Operators: the people whose keys sign holds, policy locks, purge plans, approvals and settings.",
        discussion: """
            Every change to what governs the record is a record in the archive signed with the acting \
            operator's Ed25519 key. The private key lives outside the data directory (default \
            ~/.config/tresor/operators/NAME.key), encrypted with the operator's passphrase (scrypt, \
            ChaCha20-Poly1305). `tresor init` makes the first operator (an admin); later ones need an \
            admin's signature. Roles: admin (operators, protection settings, and all a compliance \
            operator may do), compliance (holds, policy locks, purge plans, approvals, purges), \
            auditor (signs nothing). Auditors and compliance operators may get an IMAP password \
            (`passwd`) and a scope (`scope`, `search`): a read-only view of the archive over IMAP.
            """,
        subcommands: [Add.self, Revoke.self, List.self, Keygen.self, Passwd.self, Scope.self, Search.self])

    /// Where a new key's passphrase comes from: `--new-passphrase-file`, else `TRESOR_NEW_PASSPHRASE`,
    /// else asked twice on the terminal.
    struct NewPassphrase: ParsableArguments {
        @Option(name: .customLong("new-passphrase-file"),
                help: ArgumentHelp("A file whose first line is the new key's passphrase.", valueName: "file"))
        var file: String?

        func read(for name: String, fallback: OperatorOption? = nil) throws -> String {
            let environment = ProcessInfo.processInfo.environment
            if file != nil || !(environment["TRESOR_NEW_PASSPHRASE"] ?? "").isEmpty {
                return try OperatorOption.passphrase(file: file, environment: environment, variable: "TRESOR_NEW_PASSPHRASE",
                                                     prompt: "")
            }
            if let fallback, fallback.passphraseFile != nil || !(environment["TRESOR_PASSPHRASE"] ?? "").isEmpty {
                return try OperatorOption.passphrase(file: fallback.passphraseFile, environment: environment, prompt: "")
            }
            let first = try OperatorOption.passphrase(file: nil, environment: [:], prompt: "New passphrase for \(name): ")
            guard try OperatorOption.passphrase(file: nil, environment: [:], prompt: "Again: ") == first else {
                throw CommandError("the passphrases differ")
            }
            return first
        }
    }

    /// Makes a key for `name`, writes it encrypted to `path` (outside `dataDirectory`).
    static func makeKey(_ name: String, passphrase: String, at path: URL, dataDirectory: URL?) async throws -> OperatorKey {
        let key = OperatorKey(generatingFor: name)
        try await OperatorKeyFile.write(key, passphrase: passphrase, to: path, dataDirectory: dataDirectory)
        return key
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add an operator (signed by an admin; the first one signs for themselves).",
            discussion: """
                With --public-key, the person made their key themselves (`tresor operator keygen`) and \
                hands over only its public half. Without it, a key is made here and written to \
                --key-out (default: the new operator's default place), encrypted with the new \
                passphrase.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @OptionGroup var newPassphrase: NewPassphrase
        @Argument(help: ArgumentHelp("The new operator's name (letters, digits, . _ -).", valueName: "name"))
        var name: String
        @Option(help: ArgumentHelp("admin, compliance or auditor.", valueName: "role")) var role: OperatorRole
        @Option(name: .customLong("public-key"), help: ArgumentHelp("The new operator's public key (hex).", valueName: "hex"))
        var publicKey: String?
        @Option(name: .customLong("key-out"), help: ArgumentHelp("Where to write a key made here.", valueName: "file"))
        var keyOut: String?

        func run() async throws {
            let url = try data.requireInitialised()
            try await withStore(data) { store in
                let bootstrap = try await store.compliance.operators().isEmpty
                var made: OperatorKey?
                let record: OperatorRecord
                if let publicKey {
                    guard ArchivePublicKey(hex: publicKey) != nil else { throw CommandError("--public-key: not an Ed25519 key in hex") }
                    guard !bootstrap else {
                        throw CommandError("the first operator signs for themselves: make their key here (leave out --public-key)")
                    }
                    record = OperatorRecord(name: name, role: role, publicKey: publicKey.lowercased())
                } else {
                    let path = keyOut.map { URL(fileURLWithPath: $0) }
                        ?? OperatorKeyFile.defaultPath(for: name, environment: ProcessInfo.processInfo.environment)
                    let passphrase = try newPassphrase.read(for: name, fallback: bootstrap ? signing : nil)
                    let key = try await OperatorCommand.makeKey(name, passphrase: passphrase, at: path, dataDirectory: url)
                    print("key written to \(path.path) (keep it, and its passphrase, with \(name) only)")
                    made = key
                    record = OperatorRecord(name: name, role: role, publicKey: key.publicKeyHex)
                }
                let signer: GovernanceSigner
                if bootstrap, let made {
                    guard role == .admin else { throw CommandError("the first operator must be an admin") }
                    signer = .operatorKey(made, osUser: AuditActor.operatingSystemUser)
                } else {
                    signer = try await signing.signer()
                }
                try await store.compliance.addOperator(record, by: signer)
                print("operator \(name) added: \(role.rawValue), key \(record.publicKey) (fingerprint \(record.fingerprint))")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke an operator: their key signs nothing from now on.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The operator.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("Why.", valueName: "text")) var reason: String

        func run() async throws {
            try await withStore(data) { store in
                try await store.compliance.revokeOperator(name, reason: reason, by: try await signing.signer())
                print("operator \(name) revoked")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The operators.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption

        func run() async throws {
            try await withStore(data) { store in
                let operators = try await store.compliance.operators()
                for op in operators {
                    var line = "\(op.record.name)\t\(op.record.role.rawValue)\t\(op.record.fingerprint)\t"
                        + "added \(Timestamp.string(op.addedAt)) by \(op.addedBy)"
                    if let revoked = op.revokedAt { line += "\trevoked \(Timestamp.string(revoked)) by \(op.revokedBy ?? "?")" }
                    print(line)
                }
                if operators.isEmpty { print("no operators: `tresor operator add NAME --role admin` makes the first") }
                try await store.compliance.record("operator list", detail: "", resultCount: operators.count,
                                                  by: actor.auditActor)
            }
        }
    }

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen", abstract: "Make your own operator key; prints the public key to give to an admin.")
        @OptionGroup var newPassphrase: NewPassphrase
        @Argument(help: ArgumentHelp("Your operator name.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("Where to write it.", discussion: "Default: ~/.config/tresor/operators/NAME.key.",
                                   valueName: "file"))
        var out: String?

        func run() async throws {
            let path = out.map { URL(fileURLWithPath: $0) }
                ?? OperatorKeyFile.defaultPath(for: name, environment: ProcessInfo.processInfo.environment)
            let key = try await OperatorCommand.makeKey(name, passphrase: try newPassphrase.read(for: name), at: path,
                                                        dataDirectory: nil)
            print("key written to \(path.path)")
            print("public key: \(key.publicKeyHex)")
        }
    }
}

extension OperatorRole: ExpressibleByArgument {}
