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
            and that the counts agree. Who signed it is checked only against a key you trust: \
            --public-key (the key `tresor init` printed, or a file of the archive's keys such as \
            DATA/keys/archive.ed25519.chain) or --data-dir (the chain of keys of that archive). \
            Exit status: 0 all checks pass and the signer is a trusted key; 1 a check failed (each \
            problem is named), or the export is signed by another key; 3 the export is consistent \
            but, without --public-key or --data-dir, its signer was not verified — whoever changes \
            an export can re-sign it with a key of their own and name that key in export.json.
            """
    )

    /// The exit status of a consistent export whose signer was not checked against a trusted key.
    static let signerNotVerifiedStatus: Int32 = 3

    @Argument(help: ArgumentHelp("The export folder.", valueName: "dir")) var directory: String
    @Option(name: .customLong("public-key"),
            help: ArgumentHelp("The archive public key to trust: 64 hex digits, or a file of keys (one a line).",
                               valueName: "file|hex"))
    var publicKey: String?
    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("Trust the chain of seal keys of this data directory's archive.",
                               discussion: "With --public-key too: only the keys of that chain from the pinned key on.",
                               valueName: "path"))
    var dataDirectory: String?

    func run() async throws {
        let trusted = try trustedKeys()
        let result = ExportVerifier.verify(directory: URL(fileURLWithPath: directory, isDirectory: true),
                                           trustedKeys: trusted?.map(\.hex))
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
        print("signature, checksums, manifest and counts check out")
        guard result.signerVerified else {
            print("signed by key \(result.publicKeyHex), named in export.json itself: compare it with the archive's key "
                    + "kept outside the machine, or pass --public-key or --data-dir")
            print("signer not verified")
            throw ExitCode(Self.signerNotVerifiedStatus)
        }
        print("OK: signed by the trusted archive key \(result.publicKeyHex)")
    }

    /// The keys to trust: those of --public-key; with --data-dir, the archive's chain of keys (from
    /// the pinned key on, when one is pinned too). Nil when neither is given.
    func trustedKeys() throws -> [ArchivePublicKey]? {
        let pinned = try publicKey.map(PinnedKeys.read)
        guard let dataDirectory else { return pinned }
        let url = URL(fileURLWithPath: dataDirectory, isDirectory: true).standardizedFileURL
        let chain = try MailStore.sealKeyChain(dataDirectory: DataDirectoryOptions.requireInitialised(url))
        guard let pinned else { return chain.keys }
        let reachable = chain.keys(reachableFrom: pinned)
        guard !reachable.isEmpty else {
            throw CommandError("the archive in \(url.path) is sealed by key\(chain.keys.count == 1 ? "" : "s") "
                + chain.keys.map(\.hex).joined(separator: ", ") + ", none of which is pinned by --public-key")
        }
        return reachable
    }

    static func describe(_ selection: ExportRecord.Selection) -> String {
        switch selection.kind {
        case .mailbox: "mailbox \(selection.user ?? "")" + (selection.folder.map { ", folder \($0)" } ?? ", all folders")
        case .legalHold: "legal hold \(selection.legalHold?.name ?? "") (query: \(selection.query ?? ""))"
        case .query: "query \(selection.query ?? "")"
        case .subjectAccess: "subject access for \(selection.subjectAccess?.address ?? "")"
        }
    }
}
