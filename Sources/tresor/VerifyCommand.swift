import ArchiveStore
import ArgumentParser
import MailStore
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every archive segment, record and seal, and the hash chain.",
        discussion: """
            Recomputes every checksum, SHA-256 and chain link, inflates every body, checks each \
            seal's Ed25519 signature with the archive's public key and that no segment is missing. \
            Exits 0 with a summary when all is well; otherwise names the first bad segment and \
            byte offset and exits 1. Reads the files only, so it is safe while `tresor serve` runs.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let url = try data.requireInitialised()
        let report = ArchiveVerifier.verify(dataDirectory: url)
        print("segments:   \(report.segments) (\(report.sealedSegments) sealed)")
        print("records:    \(report.records) (\(report.bodies) bodies, \(report.envelopes) envelopes, \(report.events) events)")
        print("chain head: \(report.chainHead)")
        if let problem = report.problem {
            print("FAILED: \(problem)")
            // A damaged archive is not appended to: this entry goes to the catalog's log only.
            try await MailStore.auditCatalogOnly(dataDirectory: url, actor: actor.name, action: "verify",
                                                 detail: "failed: \(problem)")
            throw ExitCode(1)
        }
        print("OK: every segment, record, seal and chain link checks out")
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        try await store.audit(actor: actor.name, action: "verify", detail: "ok, chain head \(report.chainHead)")
    }
}
