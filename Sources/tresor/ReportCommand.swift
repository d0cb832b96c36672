import ArgumentParser
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
                the configuration in force (--config, else $TRESOR_CONFIG, else ./tresor.toml, else /etc/tresor/tresor.toml, else the defaults), \
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
            let configuration = try data.configuration().configuration
            let policies = try retention.loadPolicies(configuration)
            try await withStore(data) { store in
                let context = ProcedureContext(
                    software: "Tresor \(TresorVersion.current)",
                    configuration: configuration.effectiveSettings,
                    policies: policies.policies.map { policy in
                        [policy.name, policy.match, policy.retain.description, policy.countFrom.rawValue,
                         policy.action.rawValue + (policy.locked ? " (locked)" : "") + (policy.fallback ? " (fallback)" : ""),
                         policy.source.file]
                    })
                let report = try await store.compliance.procedureReport(context, by: actor.auditActor)
                let folder = URL(fileURLWithPath: out, isDirectory: true)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let markdown = Array(report.markdown.utf8), html = Array(report.html.utf8)
                let signer = try await store.compliance.exportSigner()
                let signed = ProcedureSignature.signedText(markdown: markdown, html: html, publicKey: signer.publicKeyHex)
                let signature = Hex.string(signer.sign(Array(signed.utf8)))
                try Data(markdown).write(to: folder.appendingPathComponent("report.md"))
                try Data(html).write(to: folder.appendingPathComponent("report.html"))
                try Data((signed + "signature \(signature)\n").utf8).write(to: folder.appendingPathComponent("report.sig"))
                print("wrote report.md, report.html and report.sig to \(folder.path), signed by archive key \(signer.publicKeyHex)")
            }
        }
    }
}
