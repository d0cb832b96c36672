import ArgumentParser
import Foundation
import MailStore
#if canImport(Glibc)
import Glibc
#endif

/// Who signs a governance action: `--operator NAME` (else `TRESOR_OPERATOR`, else the OS user),
/// with the key at `--key FILE` (else `TRESOR_OPERATOR_KEY`, else the default place for the name,
/// see `OperatorKeyFile.defaultPath`), unlocked with the passphrase from `--passphrase-file`, else
/// `TRESOR_PASSPHRASE`, else asked on the terminal.
struct OperatorOption: ParsableArguments {
    @Option(name: .customLong("operator"),
            help: ArgumentHelp("The operator signing this change.", discussion: "Default: $TRESOR_OPERATOR, else the OS user.",
                               valueName: "name"))
    var operatorName: String?

    @Option(name: .customLong("key"),
            help: ArgumentHelp("The operator's key file.",
                               discussion: "Default: $TRESOR_OPERATOR_KEY, else ~/.config/tresor/operators/NAME.key.",
                               valueName: "file"))
    var keyFile: String?

    @Option(name: .customLong("passphrase-file"),
            help: ArgumentHelp("A file whose first line is the key's passphrase.",
                               discussion: "Default: $TRESOR_PASSPHRASE, else asked on the terminal.", valueName: "file"))
    var passphraseFile: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var name: String {
        operatorName ?? environment["TRESOR_OPERATOR"].flatMap { $0.isEmpty ? nil : $0 } ?? AuditActor.operatingSystemUser
    }

    var keyPath: URL {
        if let keyFile { return URL(fileURLWithPath: keyFile) }
        if let path = environment["TRESOR_OPERATOR_KEY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return OperatorKeyFile.defaultPath(for: name, environment: environment)
    }

    /// Whether anything names an operator or a key (so the system must not sign in their place).
    var isGiven: Bool {
        operatorName != nil || keyFile != nil || !(environment["TRESOR_OPERATOR"] ?? "").isEmpty
            || !(environment["TRESOR_OPERATOR_KEY"] ?? "").isEmpty
    }

    /// The audit actor for a content read: the operator with their unlocked key (which signs the
    /// read's audit entries) when one is named, else `fallback` (the OS account).
    func contentReader(else fallback: AuditActor) async throws -> AuditActor {
        guard isGiven else { return fallback }
        return try await unlockedKey().contentReader(osUser: AuditActor.operatingSystemUser)
    }

    /// The decrypted key, as a signer.
    func signer() async throws -> GovernanceSigner {
        .operatorKey(try await unlockedKey(), osUser: AuditActor.operatingSystemUser)
    }

    private func unlockedKey() async throws -> OperatorKey {
        let path = keyPath
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw CommandError("""
                this changes what governs the record and must be signed by an operator: no key for "\(name)" at \
                \(path.path) (--operator NAME, --key FILE; an admin adds operators with `tresor operator add`)
                """)
        }
        let passphrase = try Self.passphrase(file: passphraseFile, environment: environment, prompt: "Passphrase for \(name): ")
        return try await OperatorKeyFile.read(from: path, passphrase: passphrase, expecting: keyFile == nil ? name : nil)
    }

    /// The operator's signer when one is named or a key exists for the default name; else the
    /// server's own ("system"), for what the seal key may sign alone (recording locked policies).
    func signerOrSystem(_ what: String) async throws -> GovernanceSigner {
        if isGiven || FileManager.default.fileExists(atPath: keyPath.path) { return try await signer() }
        return .system(what)
    }

    /// A passphrase from a file's first line, the environment, or the terminal.
    static func passphrase(file: String?, environment: [String: String], variable: String = "TRESOR_PASSPHRASE",
                           prompt: String) throws -> String {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandError("cannot read the passphrase file \(file)")
            }
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            return line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if let value = environment[variable], !value.isEmpty { return value }
        guard isatty(STDIN_FILENO) == 1, let typed = try? TerminalPrompt.readSecret(prompt) else {
            throw CommandError("no passphrase: give --passphrase-file FILE or set \(variable) (there is no terminal to ask on)")
        }
        return typed
    }

    /// Whether a passphrase can be had without asking (a file or the environment), or by asking.
    static func passphraseAvailable(file: String?, environment: [String: String],
                                    variable: String = "TRESOR_PASSPHRASE") -> Bool {
        file != nil || !(environment[variable] ?? "").isEmpty || isatty(STDIN_FILENO) == 1
    }
}
