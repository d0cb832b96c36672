import Foundation
import MailMessage
import MailStore

/// One thing wrong with an export: the file (relative to the export folder) and what.
public struct ExportProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}

/// The outcome of `ExportVerifier.verify`.
public struct ExportVerification: Sendable {
    public var problems: [ExportProblem] = []
    /// `export.json` as read (nil when it is missing or does not decode).
    public var record: ExportRecord?
    /// The key the signature was checked with (hex): the one `export.json` names as its signer.
    public var publicKeyHex = ""
    /// Whether the caller gave the keys to trust (`--public-key`, `--data-dir`). Without them the
    /// export can only be checked against itself: whoever re-signs a changed export names their
    /// own key in it, so a valid export is not yet proof of who signed it.
    public var keyGiven = false
    /// Whether the signer is one of the keys the caller trusts (then, with `isValid`, the export is
    /// the archive's, unchanged).
    public var signerVerified = false
    /// Messages checked against the manifest, files checked against `SHA256SUMS`.
    public var messagesChecked = 0
    public var filesChecked = 0

    public var isValid: Bool { problems.isEmpty }
}

/// `tresor verify-export`: checks an export folder without the data directory. In order: no
/// `INCOMPLETE` marker (an interrupted export is refused outright); the four record files are
/// there; `export.sig` is the key's signature over `export.json` and `SHA256SUMS`; every file
/// listed in `SHA256SUMS` exists and has that SHA-256, and no other file is there; `manifest.csv`
/// has the SHA-256 `export.json` names; the counts agree; each message read back from its file
/// (mboxrd unescaped) has the size and SHA-256 its manifest row names. Every problem is listed,
/// not only the first. With trusted keys, the key `export.json` names (and the signature is
/// checked with) must be one of them.
public enum ExportVerifier {
    static let recordFiles: Set<String> = [ExportRecord.fileName, ExportSignature.fileName, SHA256Sums.fileName]

    /// Verifies the export, trusting `given` (one key, hex) when not nil.
    public static func verify(directory: URL, publicKeyHex given: String? = nil) -> ExportVerification {
        verify(directory: directory, trustedKeys: given.map { [$0] })
    }

    /// Verifies the export; with `trustedKeys` (hex: the archive's key, or its chain of keys), the
    /// export must also be signed by one of them.
    public static func verify(directory: URL, trustedKeys: [String]?) -> ExportVerification {
        var result = ExportVerification()
        let root = directory.standardizedFileURL.path
        func problem(_ file: String, _ reason: String) { result.problems.append(ExportProblem(file: file, reason: reason)) }
        func read(_ name: String) -> [UInt8]? {
            FileManager.default.contents(atPath: root + "/" + name).map(Array.init)
        }

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            problem(root, "no such folder")
            return result
        }
        if FileManager.default.fileExists(atPath: root + "/" + Exporter.incompleteMarker) {
            problem(Exporter.incompleteMarker, "the export is incomplete: it was interrupted before it finished")
            return result
        }
        let json = read(ExportRecord.fileName), signature = read(ExportSignature.fileName)
        let sumsBytes = read(SHA256Sums.fileName), manifestBytes = read("manifest.csv")
        for (name, bytes) in [(ExportRecord.fileName, json), (ExportSignature.fileName, signature),
                              (SHA256Sums.fileName, sumsBytes), ("manifest.csv", manifestBytes)] where bytes == nil {
            problem(name, "missing")
        }
        if let json {
            do { result.record = try ExportRecord.decode(json) } catch {
                problem(ExportRecord.fileName, "does not decode: \(error)")
            }
        }
        if let record = result.record, record.exportVersion != ExportRecord.currentVersion {
            problem(ExportRecord.fileName, "export version \(record.exportVersion) is not one this Tresor knows")
        }

        // The signature, by the key export.json names; with trusted keys, that key must be one of them.
        result.publicKeyHex = result.record?.archive.publicKey.lowercased() ?? ""
        var signatureValid = false
        if let json, let signature, let sumsBytes {
            signatureValid = ExportSignature.isValid(signature, exportJSON: json, sums: sumsBytes,
                                                     publicKeyHex: result.publicKeyHex)
            if !signatureValid {
                problem(ExportSignature.fileName, "bad signature: export.json or SHA256SUMS was changed, "
                            + "or the export was not signed by key \(result.publicKeyHex)")
            }
        }
        if let trustedKeys {
            result.keyGiven = true
            let trusted = Set(trustedKeys.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() })
            if result.record != nil, !trusted.contains(result.publicKeyHex) {
                problem(ExportRecord.fileName, "signed by key \(result.publicKeyHex), which is not "
                            + (trusted.count == 1 ? "the given key \(trusted.first!)" : "one of the \(trusted.count) keys given")
                            + ": the export was re-signed, or it is not this archive's")
            } else {
                result.signerVerified = result.record != nil && signatureValid
            }
        }
        if let head = result.record?.archive.head, !ExportSignature.isSigned(head, by: result.publicKeyHex) {
            problem(ExportRecord.fileName, "the archive HEAD it records is not signed by key \(result.publicKeyHex)")
        }

        // The files against SHA256SUMS.
        var sums: [String: String] = [:]
        if let sumsBytes {
            do { sums = try SHA256Sums.decode(sumsBytes) } catch { problem(SHA256Sums.fileName, "\(error)") }
        }
        let present = Set(files(under: root))
        for (path, digest) in sums.sorted(by: { $0.key < $1.key }) {
            guard present.contains(path), let bytes = read(path) else {
                problem(path, "missing (listed in SHA256SUMS)")
                continue
            }
            result.filesChecked += 1
            if Hex.sha256(bytes) != digest { problem(path, "changed (SHA-256 differs from SHA256SUMS)") }
        }
        for path in present.sorted() where sums[path] == nil && !recordFiles.contains(path) {
            problem(path, "added (not in SHA256SUMS)")
        }

        // The manifest against export.json, and each message against the manifest.
        guard let record = result.record, let manifestBytes else { return result }
        if Hex.sha256(manifestBytes) != record.manifestSha256 {
            problem("manifest.csv", "changed (SHA-256 differs from the one export.json names)")
        }
        let rows: [ManifestRow]
        do { rows = try ManifestCSV.decode(manifestBytes) } catch {
            problem("manifest.csv", "does not parse: \(error)")
            return result
        }
        if rows.count != record.counts.messages {
            problem("manifest.csv", "\(rows.count) rows, but export.json counts \(record.counts.messages) messages")
        }
        let messageFiles = sums.keys.filter { $0.hasPrefix(ExportPaths.messagesDirectory + "/") }
        if messageFiles.count != record.counts.files {
            problem(SHA256Sums.fileName, "\(messageFiles.count) message files, but export.json counts \(record.counts.files)")
        }
        checkMessages(rows, root: root, present: present, result: &result)
        return result
    }

    /// Each manifest row's message, read from its file, against the row's size and SHA-256.
    static func checkMessages(_ rows: [ManifestRow], root: String, present: Set<String>,
                              result: inout ExportVerification) {
        var mboxes: [String: [[UInt8]]] = [:]
        var positions: [String: Int] = [:]
        for row in rows {
            let isMbox = row.file.hasSuffix(".mbox")
            if isMbox, mboxes[row.file] == nil, present.contains(row.file),
                let data = FileManager.default.contents(atPath: root + "/" + row.file)
            {
                mboxes[row.file] = MboxReader(data: Array(data)).map(\.message)
            }
            let data = isMbox ? nil : FileManager.default.contents(atPath: root + "/" + row.file)
            guard present.contains(row.file), isMbox ? mboxes[row.file] != nil : data != nil else {
                result.problems.append(ExportProblem(file: row.file, reason: "missing (named in manifest.csv)"))
                continue
            }
            var bytes: [UInt8]
            if isMbox {
                let index = positions[row.file, default: 0]
                positions[row.file] = index + 1
                guard let messages = mboxes[row.file], index < messages.count else {
                    result.problems.append(ExportProblem(file: row.file, reason: "has fewer messages than manifest.csv lists"))
                    continue
                }
                bytes = messages[index]
                // mbox adds a line end to a message that lacks one (see Mboxrd).
                if bytes.count == row.size + 1, bytes.last == 0x0A { bytes.removeLast() }
            } else {
                bytes = Array(data!)
            }
            result.messagesChecked += 1
            if bytes.count != row.size || Hex.sha256(bytes) != row.sha256 {
                result.problems.append(ExportProblem(
                    file: row.file, reason: "message \(row.sha256) differs from its manifest row (size or SHA-256)"))
            }
        }
        for (file, messages) in mboxes where messages.count > positions[file, default: 0] {
            result.problems.append(ExportProblem(file: file, reason: "\(messages.count) messages, but manifest.csv lists \(positions[file, default: 0])"))
        }
    }

    /// Every regular file (and symlink) under `root`, relative, "/" separated.
    static func files(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = enumerator.nextObject() as? String {
            let full = root + "/" + path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), isDirectory.boolValue { continue }
            out.append(path)
        }
        return out
    }
}
