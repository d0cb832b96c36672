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
            byte offset and exits 1. Reads the files only, so it is safe while `tresor serve` runs. \
            Purges are checked too (each stub of a removed record must be named by its purge \
            record, each compacted segment's offset table must add up) and listed: when, who, which \
            policies, how many records; with --verbose every removed record and its hashes.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Flag(name: .shortAndLong, help: "List every record each purge removed, with its hashes.")
    var verbose = false

    func run() async throws {
        let url = try data.requireInitialised()
        let report = MailStore.verifyArchive(dataDirectory: url)
        print("segments:   \(report.segments) (\(report.sealedSegments) sealed)")
        print("records:    \(report.records) (\(report.bodies) bodies, \(report.envelopes) envelopes, \(report.events) events)")
        print("chain head: \(report.chainHead)")
        print("purged:     \(report.purgedRecords) records in \(report.compactedSegments) compacted segments, "
            + "\(report.purges.count) purges")
        for purge in report.purges { print(Self.describe(purge, verbose: verbose)) }
        if let problem = report.problem {
            print("FAILED: \(problem)")
            // A damaged archive is not appended to: this entry goes to the catalog's log only.
            try await ComplianceService.auditCatalogOnly(dataDirectory: url, action: "verify",
                                                         detail: "failed: \(problem)", by: actor.auditActor)
            throw ExitCode(1)
        }
        print("OK: every segment, record, seal and chain link checks out")
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        try await store.compliance.record("verify", detail: "ok, chain head \(report.chainHead)", by: actor.auditActor)
    }

    /// One purge: when, where its record is, who, why, which policies, how many messages and
    /// records (and how many of them are compacted away already).
    static func describe(_ purge: VerifiedPurge, verbose: Bool) -> String {
        let record = purge.record
        let time = record.time.formatted(.iso8601)
        var lines = [
            "  purge \(record.id) at \(time), record \(purge.location), by \(record.actor)",
            "    policies: \(record.policies.joined(separator: ", ")); reason: \(record.reason)",
            "    \(record.messages.count) messages, \(record.removed.count) records removed "
                + "(\(purge.stubsFound) compacted)",
        ]
        if verbose {
            for message in record.messages {
                lines.append("    message \(message.sha256) policy \(message.policy) scope \(message.scope)")
            }
            for removed in record.removed {
                lines.append("    removed \(removed.location) \(removed.kindName) record-hash \(removed.recordHash) "
                    + "content \(removed.contentHash) \(removed.length) bytes")
            }
        }
        return lines.joined(separator: "\n")
    }
}
