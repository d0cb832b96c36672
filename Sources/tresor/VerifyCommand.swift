import ArgumentParser
import MailServer
import MailStore
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every archive segment, record and seal, and the hash chain.",
        discussion: """
            Recomputes every checksum, SHA-256 and chain link, inflates every body, checks each \
            seal's Ed25519 signature with the archive's public key (or the one --public-key pins) \
            and that no segment is missing; then compares the catalog with the archive: every \
            delivery it lists has its record, every record is indexed or purged, and every message \
            in a folder has an archive record (drafts in the drafts folder and the copies an \
            archive-only purge left excepted). Exits 0 with a summary when all is well; otherwise \
            names every finding (the archive's first bad segment and byte offset) and exits 1. \
            Reads the files only and writes nothing, so it is safe while `tresor serve` runs and on \
            a copy. Purges are listed: when, who, which policies, how many records; with --verbose \
            every removed record and its hashes. Time stamps (`tresor anchor`) are checked too: each \
            token against the CA of its TSA ([[anchor.tsa]] in --config, or --tsa-ca), each stamped \
            record still in the chain with the stamped value, each copy in DATA/anchors/ still in \
            the archive; --witness checks witness files kept elsewhere. A rollback or a rewritten \
            history is a finding that names the stamp or witness it contradicts.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @Flag(name: .shortAndLong, help: "List every record each purge removed, with its hashes, and every time stamp.")
    var verbose = false
    @Option(name: .customLong("public-key"),
            help: ArgumentHelp("A file with the archive's public key (hex) to check against, instead of the data directory's.",
                               valueName: "file"))
    var publicKeyFile: String?
    @OptionGroup var anchoring: VerifyAnchorOptions

    func run() async throws {
        let url = try data.requireInitialised()
        var pinned: String?
        if let publicKeyFile {
            guard let text = FileManager.default.contents(atPath: publicKeyFile) else {
                throw CommandError("cannot read the public key file \(publicKeyFile)")
            }
            pinned = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let integrity = await MailStore.verify(dataDirectory: url, publicKey: pinned, anchoring: try anchoring.verification())
        let report = integrity.archive
        print("segments:   \(report.segments) (\(report.sealedSegments) sealed)")
        print("records:    \(report.records) (\(report.bodies) bodies, \(report.envelopes) envelopes, \(report.events) events)")
        print("chain head: \(report.chainHead)")
        print("purged:     \(report.purgedRecords) records in \(report.compactedSegments) compacted segments, "
            + "\(report.purges.count) purges")
        for purge in report.purges { print(Self.describe(purge, verbose: verbose)) }
        if let problem = report.problem {
            print("FAILED: \(problem)")
            throw ExitCode(1)
        }
        print("catalog:    \(integrity.deliveries) deliveries, \(integrity.placements) placements compared")
        if integrity.awaitingRecovery > 0 {
            print("recovery:   \(integrity.awaitingRecovery) journaled record(s) not indexed yet (a crash came between the "
                  + "archive and the catalog); the next start of `tresor serve` indexes and places them")
        }
        Self.printAnchors(integrity.anchors, verbose: verbose)
        for finding in integrity.findings { print("FINDING \(finding)") }
        guard integrity.isValid else {
            print("FAILED: \(integrity.findings.count) finding(s)")
            throw ExitCode(1)
        }
        print("OK: every segment, record, seal and chain link checks out, and the catalog agrees with the archive")
    }

    /// One purge: when, where its record is, who, why, which policies, how many messages and
    /// records (and how many of them are compacted away already).
    static func describe(_ purge: VerifiedPurge, verbose: Bool) -> String {
        let record = purge.record
        let time = Timestamp.string(record.time)
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
