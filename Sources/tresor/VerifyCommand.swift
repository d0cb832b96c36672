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
            seal's Ed25519 signature with the seal key in effect — the key the archive was created \
            with, then each key rotation's new key — and that no segment is missing. With \
            --public-key, every seal and HEAD must also be signed by a pinned key or a key rotated to \
            from it: keep the key `tresor init` printed outside the machine and pin it here, or a \
            history re-signed with a new key goes unnoticed. Then compares the catalog with the archive: every \
            delivery it lists has its record, every record is indexed or purged, and every message \
            in a folder has an archive record (drafts in the drafts folder and the copies an \
            archive-only purge left excepted), and every message's index entries — its message, \
            delivery and address rows, the words of its full-text document, its attachment rows and \
            their text — are derived again from the archived bytes and envelopes and compared, so an \
            index edited by hand (a word, an address or an attachment's text hidden from search) is \
            named; `tresor reindex` mends it. Attachment text that needs pdftotext is compared only \
            where it is installed. Exits 0 with a summary when all is well; otherwise \
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
            help: ArgumentHelp("The archive public key to pin: 64 hex digits, or a file of keys (one a line).",
                               valueName: "file|hex"))
    var publicKey: String?
    @OptionGroup var anchoring: VerifyAnchorOptions

    func run() async throws {
        let located = try data.configuration()
        let url = try data.location(located).requireInitialised()
        let pinned = try publicKey.map(PinnedKeys.read)
        let integrity = await MailStore.verify(dataDirectory: url, publicKey: pinned.map(ArchiveKeyList.text),
                                               anchoring: try anchoring.verification(located.configuration),
                                               serverRunning: ServerPresence.isRunning(dataDirectory: url) ?? true)
        let report = integrity.archive
        print("segments:   \(report.segments) (\(report.sealedSegments) sealed)"
              + (report.segments > report.sealedSegments ? Self.liveSegmentNote : ""))
        print("records:    \(report.records) (\(report.bodies) bodies, \(report.envelopes) envelopes, \(report.events) events)")
        print("chain head: \(report.chainHead)")
        print("purged:     \(report.purgedRecords) records in \(report.compactedSegments) compacted segments, "
            + "\(report.purges.count) purges")
        for purge in report.purges { print(Self.describe(purge, verbose: verbose)) }
        if let keys = report.sealKeys { print(Self.describe(keys, pinned: pinned)) }
        if let problem = report.problem {
            print("FAILED: \(problem)")
            throw ExitCode(1)
        }
        print("catalog:    \(integrity.deliveries) deliveries, \(integrity.placements) placements compared")
        print("index:      \(integrity.derived.messages) messages' rows, words and attachments derived again from the archive "
              + "and compared")
        if integrity.derived.attachmentsNotCompared > 0 {
            print("            \(integrity.derived.attachmentsNotCompared) attachment(s) compared by name, type and size only: "
                  + "their text needs pdftotext (poppler-utils), which is not installed here")
        }
        if integrity.awaitingRecovery > 0 {
            print("recovery:   \(integrity.awaitingRecovery) journaled record(s) not indexed yet (a crash came between the "
                  + "archive and the catalog); the next start of `tresor serve` indexes and places them")
        }
        if integrity.auditAwaitingRecovery > 0 {
            print("recovery:   \(integrity.auditAwaitingRecovery) audit event(s) not listed in the catalog yet; the next "
                  + "start of `tresor serve` lists them")
        }
        if integrity.governanceAwaitingRecovery > 0 {
            print("recovery:   the catalog lacks the newest \(integrity.governanceAwaitingRecovery) governance record(s) "
                  + "(a crash came between the archive and the catalog); the next start of `tresor serve` caches them")
        }
        Self.printAnchors(integrity.anchors, verbose: verbose)
        for finding in integrity.findings { print("FINDING \(finding)") }
        guard integrity.isValid else {
            if !integrity.derived.findings.isEmpty {
                print("The catalog's index differs from the archive, which is the record: `tresor reindex` rebuilds the "
                      + "index from the archive (stop `tresor serve` first on a busy server).")
            }
            print("FAILED: \(integrity.findings.count) finding(s)")
            throw ExitCode(1)
        }
        print("OK: every segment, record, seal and chain link checks out, and the catalog agrees with the archive")
    }

    /// What the unsealed segment is: the one still being written. Its records are checked like the
    /// others; only the signed seal is still to come (`ArchiveConfiguration`: at 64 MiB, or with the
    /// first write on a later UTC day).
    static let liveSegmentNote = "; the unsealed one is the live segment, sealed (signed) when it would pass 64 MiB "
        + "or at the first write on a later UTC day"

    /// The chain of seal keys as checked, and which of them were pinned.
    static func describe(_ keys: SealKeyChain, pinned: [ArchivePublicKey]?) -> String {
        let mark = { (key: ArchivePublicKey) in pinned?.contains(key) == true ? " (pinned)" : "" }
        var lines = ["seal keys:  \(keys.root.hex) (root)\(mark(keys.root))"]
        for rotation in keys.rotations {
            let key = ArchivePublicKey(hex: rotation.record.new)
            lines.append("            \(rotation.record.new) from record \(rotation.location), "
                + "\(Timestamp.string(rotation.record.time))\(key.map(mark) ?? "")")
        }
        if pinned == nil { lines.append("            not pinned: pass --public-key to check them against a key kept elsewhere") }
        return lines.joined(separator: "\n")
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
