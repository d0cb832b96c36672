import ArgumentParser
import Export
import MailStore
import Foundation

/// `tresor verify-export`: checks an export folder on its own, without the data directory.
struct VerifyExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-export",
        abstract: "Check an export: signature, checksums, manifest and counts; no data directory needed.",
        discussion: """
            Checks that export.sig is a valid Ed25519 signature over export.json and SHA256SUMS, \
            that every file has the SHA-256 SHA256SUMS lists and no file was added or removed, that \
            manifest.csv is the one export.json names, that every message matches its manifest row, \
            and that the counts agree. Without --public-key the signature is checked against the key \
            export.json names: compare that key with the archive's published public key \
            (DATA/keys/archive.ed25519.pub, printed by `tresor init`). Exits 1 naming every problem.
            """
    )

    @Argument(help: ArgumentHelp("The export folder.", valueName: "dir")) var directory: String
    @Option(name: .customLong("public-key"),
            help: ArgumentHelp("A file with the archive's public key (hex, as in keys/archive.ed25519.pub).",
                               valueName: "file"))
    var publicKeyFile: String?

    func run() async throws {
        var key: String?
        if let publicKeyFile {
            guard let text = try? String(contentsOfFile: publicKeyFile, encoding: .utf8) else {
                throw CommandError("cannot read the public key file \(publicKeyFile)")
            }
            key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let result = ExportVerifier.verify(directory: URL(fileURLWithPath: directory, isDirectory: true),
                                           publicKeyHex: key)
        if !result.isValid {
            for problem in result.problems { print("FAIL \(problem)") }
            print("FAILED: \(result.problems.count) problem\(result.problems.count == 1 ? "" : "s") in \(directory)")
            throw ExitCode(1)
        }
        let record = result.record!
        print("export:     \(record.format.rawValue), \(record.counts.messages) messages, \(result.filesChecked) files checked")
        print("made:       \(Timestamp.string(record.completedAt)) by \(record.createdBy) (Tresor \(record.tresorVersion))")
        print("selection:  \(Self.describe(record.selection))")
        if let head = record.archive.head { print("chain head: \(head.chainHex) (segment \(head.segment))") }
        print("OK: signature, checksums, manifest and counts check out")
        if result.keyGiven {
            print("signed by the given archive key \(result.publicKeyHex)")
        } else {
            print("signed by key \(result.publicKeyHex), named in export.json itself: compare it with the archive's "
                    + "published public key (keys/archive.ed25519.pub), or pass --public-key")
        }
    }

    static func describe(_ selection: ExportRecord.Selection) -> String {
        switch selection.kind {
        case .mailbox: "mailbox \(selection.user ?? "")" + (selection.folder.map { ", folder \($0)" } ?? ", all folders")
        case .legalHold: "legal hold \(selection.legalHold?.name ?? "") (query: \(selection.query ?? ""))"
        case .query: "query \(selection.query ?? "")"
        }
    }
}
