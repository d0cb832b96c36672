import ArgumentParser
import Crypto
import Export
import Foundation
import MailServer
import MailStore
import Retention

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports about the data directory.",
        subcommands: [Procedure.self])

    struct Procedure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "procedure",
            abstract: "Write the procedure documentation (Verfahrensdokumentation) of the data directory.",
            discussion: """
                Writes report.md and report.html (the same content) and report.sig into DIR: the software, \
                the configuration in force (--config, else ./tresor.toml if it exists, else the defaults), \
                operators and roles, protection settings, retention policies and every locked version, \
                legal holds, restrictions, the private-mail rule, seal keys and rotations, the newest time \
                stamps, a summary of purges, the governance history and the archive format. Built from the \
                archive's records, so the same data gives the same files byte for byte. report.sig holds the \
                SHA-256 of both files and the archive seal key's Ed25519 signature over them.
                """)

        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var retention: RetentionOptions
        @OptionGroup var actor: ActorOption
        @Option(help: ArgumentHelp("The folder to write into (made if missing).", valueName: "dir"))
        var out: String

        func run() async throws {
            let configuration = try retention.configuration()
            let policies = try retention.loadPolicies(configuration)
            try await withStore(data) { store in
                let context = ProcedureContext(
                    software: "Tresor \(TresorVersion.current)",
                    configuration: configuration.effectiveSettings,
                    policies: policies.policies.map { policy in
                        [policy.name, policy.match, policy.retain.description, policy.countFrom.rawValue,
                         policy.action.rawValue + (policy.locked ? " (locked)" : ""), policy.source.file]
                    })
                let report = try await store.compliance.procedureReport(context, by: actor.auditActor)
                let folder = URL(fileURLWithPath: out, isDirectory: true)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let markdown = Array(report.markdown.utf8), html = Array(report.html.utf8)
                let signer = try await store.compliance.exportSigner()
                let signed = ProcedureSignature.signedText(markdown: markdown, html: html, publicKey: signer.publicKeyHex)
                let signature = ProcedureSignature.hex(signer.sign(Array(signed.utf8)))
                try Data(markdown).write(to: folder.appendingPathComponent("report.md"))
                try Data(html).write(to: folder.appendingPathComponent("report.html"))
                try Data((signed + "signature \(signature)\n").utf8).write(to: folder.appendingPathComponent("report.sig"))
                print("wrote report.md, report.html and report.sig to \(folder.path), signed by archive key \(signer.publicKeyHex)")
            }
        }
    }
}

/// report.sig: what the archive key signs, one `name value` line each — the SHA-256 of report.md and
/// report.html and the signing key — followed by `signature HEX` over exactly those lines.
enum ProcedureSignature {
    static func signedText(markdown: [UInt8], html: [UInt8], publicKey: String) -> String {
        "tresor-procedure-report 1\n"
            + "report.md \(hex(Array(SHA256.hash(data: markdown))))\n"
            + "report.html \(hex(Array(SHA256.hash(data: html))))\n"
            + "key \(publicKey)\n"
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
