import ArchiveStore
import Catalog
import Export
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Query exports in each format, read back by independent tools, checked by `sha256sum -c` and
/// by `ExportVerifier`, and each kind of tampering caught and named.
@Suite struct QueryExportTests {
    static func withExport(
        _ format: ExportFormat, query: String = "contract",
        _ body: (MailStore, URL, ExportSummary) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { dir in
            let store = try ExportFixtures.makeStore(dir)
            defer { store.close() }
            try await ExportFixtures.importMessages(ExportFixtures.messages + [Array("Subject: unrelated\r\n\r\nx\r\n".utf8)],
                                                    into: store)
            let out = dir.appendingPathComponent("export-\(format.rawValue)", isDirectory: true)
            let summary = try await Exporter(store: store).export(
                ExportRequest(selection: .query(query), format: format, destination: out, actor: .system("auditor")))
            try await body(store, out, summary)
        }
    }

    static var originals: [String: [UInt8]] {
        Dictionary(uniqueKeysWithValues: ExportFixtures.messages.map { (ExportFixtures.sha256($0), $0) })
    }

    @Test(arguments: ExportFormat.allCases)
    func everyFormatReadsBackByteIdentical(_ format: ExportFormat) async throws {
        try await Self.withExport(format) { _, out, summary in
            let messages = out.appendingPathComponent("messages")
            let read: [ReadBack.Message] = switch format {
            case .mbox: try await ReadBack.read("mbox", messages.appendingPathComponent("export.mbox"))
            case .maildir: try await ReadBack.read("maildir", messages)
            case .eml: try await ReadBack.read("eml", messages)
            }
            #expect(read.count == 4 && summary.record.counts.messages == 4)
            for message in read {
                if format == .mbox, Self.originals[message.sha256] == nil {
                    // The one message without a final line end gains a LF in mbox, nothing else.
                    let original = ExportFixtures.messages[3]
                    #expect(message.size == original.count + 1)
                    #expect(message.sha256 == ExportFixtures.sha256(original + [0x0A]))
                } else {
                    #expect(Self.originals[message.sha256]?.count == message.size, "\(message.subject) differs")
                }
            }
            #expect(Set(read.map(\.subject)).contains("Grüße contract"))
            let verification = ExportVerifier.verify(directory: out)
            #expect(verification.isValid, "\(verification.problems)")
            #expect(verification.messagesChecked == 4)
        }
    }

    @Test(arguments: ExportFormat.allCases)
    func sha256sumChecksEveryFile(_ format: ExportFormat) async throws {
        try await Self.withExport(format) { _, out, _ in
            let result = try await ChildProcess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], in: out)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            // What sha256sum checked is what SHA256SUMS lists (its own "OK" wording is not ours to test).
            let sums = try String(contentsOf: out.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
            let listed = sums.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).last ?? "" }
            #expect(listed.contains { $0.trimmingCharacters(in: .whitespaces).hasSuffix("manifest.csv") })
            #expect(listed.count == (format == .mbox ? 2 : 5))
        }
    }

    @Test func exportRecordSaysWhoWhatAndTheArchiveState() async throws {
        try await Self.withExport(.eml) { store, out, summary in
            let record = try ExportRecord.decode(Array(try Data(contentsOf: out.appendingPathComponent("export.json"))))
            #expect(record == summary.record)
            #expect(record.createdBy == "system:auditor" && record.selection.kind == .query && record.selection.query == "contract")
            #expect(record.tresorVersion == TresorVersion.current && record.format == .eml)
            #expect(record.counts.messages == 4 && record.counts.files == 4 && record.counts.drafts == 0)
            #expect(record.counts.bytes == Int64(ExportFixtures.messages.map(\.count).reduce(0, +)))
            let publicKey = try String(contentsOf: store.dataDirectory.appendingPathComponent("keys/archive.ed25519.pub"),
                                       encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(record.archive.publicKey == publicKey)
            let head = try #require(record.archive.head)
            #expect(head.isSigned(by: try #require(ArchivePublicKey(hex: publicKey))) && head.chainHead.count == 32)
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("INCOMPLETE").path))
            // The export is in the audit log, with the SHA-256 of export.json.
            let audit = try await store.catalog.governance.auditLog()
            let entry = try #require(audit.first { $0.action == "export" })
            #expect(entry.actor == "system:auditor" && entry.resultCount == 4)
            #expect(entry.detail.contains("query=contract") && entry.detail.contains(summary.recordSHA256))
            // The manifest lists each message with its id and file.
            let rows = try ManifestCSV.decode(Array(try Data(contentsOf: out.appendingPathComponent("manifest.csv"))))
            #expect(Set(rows.map(\.sha256)) == Set(Self.originals.keys))
            #expect(rows.allSatisfy { $0.archiveID == $0.sha256 && $0.file.hasSuffix("_\($0.sha256).eml") })
            let first = try #require(rows.first { $0.subject == "Contract draft" })
            #expect(first.to == "Bob <bob@example.org>; Carl, Jr. <carl@example.org>")
            #expect(first.date == "2025-06-02T10:00:00Z")
        }
    }

    @Test func changedOrRemovedMessageFileFailsBothChecksNamingIt() async throws {
        try await Self.withExport(.eml) { _, out, _ in
            let files = ExportFixtures.files(under: out).filter { $0.hasSuffix(".eml") }
            let changed = out.appendingPathComponent(files[0]), removed = out.appendingPathComponent(files[1])
            var bytes = try Data(contentsOf: changed)
            bytes[bytes.count - 3] ^= 0x20
            try bytes.write(to: changed)
            try FileManager.default.removeItem(at: removed)
            // --quiet: only the files that fail are named, whatever sha256sum's words for it.
            let sums = try await ChildProcess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], in: out)
            #expect(sums.status != 0)
            #expect(sums.stdout.contains(files[0]) && sums.stderr.contains(files[1]), "\(sums.stdout)\(sums.stderr)")
            let problems = ExportVerifier.verify(directory: out).problems
            #expect(problems.contains { $0.file == files[0] && $0.reason.hasPrefix("changed") })
            #expect(problems.contains { $0.file == files[1] && $0.reason.hasPrefix("missing") })
        }
    }

    @Test func changedMessageInsideAnMboxIsNamed() async throws {
        try await Self.withExport(.mbox) { _, out, _ in
            let mbox = out.appendingPathComponent("messages/export.mbox")
            let text = try String(contentsOf: mbox, encoding: .utf8).replacingOccurrences(of: "See attached.", with: "See nothing.")
            try text.write(to: mbox, atomically: false, encoding: .utf8)
            let problems = ExportVerifier.verify(directory: out).problems
            #expect(problems.contains { $0.file == "messages/export.mbox" && $0.reason.hasPrefix("changed") })
            #expect(problems.contains { $0.file == "messages/export.mbox" && $0.reason.contains("differs from its manifest row") })
        }
    }

    @Test func addedFileIsNamed() async throws {
        try await Self.withExport(.maildir) { _, out, _ in
            try Data("extra".utf8).write(to: out.appendingPathComponent("messages/new/1.planted"))
            let problems = ExportVerifier.verify(directory: out).problems
            #expect(problems == [ExportProblem(file: "messages/new/1.planted", reason: "added (not in SHA256SUMS)")])
        }
    }

    @Test func changedManifestIsNamed() async throws {
        try await Self.withExport(.eml) { _, out, _ in
            let manifest = out.appendingPathComponent("manifest.csv")
            let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "Contract draft", with: "Harmless")
            try text.write(to: manifest, atomically: false, encoding: .utf8)
            let problems = ExportVerifier.verify(directory: out).problems
            #expect(problems.contains { $0.file == "manifest.csv" && $0.reason.contains("export.json") })
            #expect(problems.contains { $0.file == "manifest.csv" && $0.reason.hasPrefix("changed (SHA-256 differs from SHA256SUMS") })
        }
    }

    @Test func changedExportJSONOrSignatureFailsTheSignature() async throws {
        try await Self.withExport(.eml) { _, out, _ in
            let json = out.appendingPathComponent("export.json")
            let original = try Data(contentsOf: json)
            let text = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"system:auditor\"", with: "\"system:someone\"")
            try Data(text.utf8).write(to: json)
            #expect(ExportVerifier.verify(directory: out).problems.map(\.file) == ["export.sig"])
            try original.write(to: json)
            #expect(ExportVerifier.verify(directory: out).isValid)

            let sig = out.appendingPathComponent("export.sig")
            var signature = Array(try String(contentsOf: sig, encoding: .utf8))
            signature[10] = signature[10] == "0" ? "1" : "0"
            try String(signature).write(to: sig, atomically: false, encoding: .utf8)
            let problems = ExportVerifier.verify(directory: out).problems
            #expect(problems.count == 1 && problems.first?.file == "export.sig" && problems.first?.reason.hasPrefix("bad signature") == true)
        }
    }

    @Test func anotherKeyOrAResignedExportIsRefused() async throws {
        try await Self.withExport(.eml) { store, out, _ in
            let published = try String(contentsOf: store.dataDirectory.appendingPathComponent("keys/archive.ed25519.pub"),
                                       encoding: .utf8)
            let trusted = ExportVerifier.verify(directory: out, publicKeyHex: published)
            #expect(trusted.isValid && trusted.keyGiven && trusted.signerVerified)
            let unpinned = ExportVerifier.verify(directory: out)
            #expect(unpinned.isValid && !unpinned.keyGiven && !unpinned.signerVerified)
            let other = String(repeating: "1", count: 64)
            let refused = ExportVerifier.verify(directory: out, publicKeyHex: other)
            #expect(!refused.signerVerified)
            let signer = published.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(refused.problems.map(\.file) == ["export.json"])
            #expect(refused.problems.first?.reason.contains("signed by key \(signer)") == true)
        }
    }

    @Test func changedCountsAreNamed() async throws {
        try await Self.withExport(.eml) { _, out, _ in
            // A consistent re-listing without one message still breaks the signature and the counts.
            let files = ExportFixtures.files(under: out).filter { $0.hasSuffix(".eml") }
            try FileManager.default.removeItem(at: out.appendingPathComponent(files[0]))
            let sums = out.appendingPathComponent("SHA256SUMS")
            let kept = try String(contentsOf: sums, encoding: .utf8).split(separator: "\n").filter { !$0.hasSuffix(files[0]) }
            try (kept.joined(separator: "\n") + "\n").write(to: sums, atomically: false, encoding: .utf8)
            let problems = ExportVerifier.verify(directory: out).problems
            #expect(problems.contains { $0.file == "export.sig" })
            #expect(problems.contains { $0.file == "SHA256SUMS" && $0.reason.contains("3 message files, but export.json counts 4") })
            #expect(problems.contains { $0.file == files[0] && $0.reason.hasPrefix("missing (named in manifest.csv)") })
        }
    }
}

/// The signature checked without Tresor: PyNaCl (Debian's python3-nacl) over the bytes
/// `ExportSignature` defines, as the README tells an auditor to do.
@Suite struct IndependentSignatureTests {
    static let script = #"""
import hashlib, sys
try:
    import nacl.signing, nacl.exceptions
except ImportError:
    print('missing'); sys.exit(0)
folder, key = sys.argv[1], sys.argv[2]
j = open(folder + '/export.json', 'rb').read()
s = open(folder + '/SHA256SUMS', 'rb').read()
signed = (b'tresor-export-v1\nexport.json ' + hashlib.sha256(j).hexdigest().encode()
          + b'\nSHA256SUMS ' + hashlib.sha256(s).hexdigest().encode() + b'\n')
signature = bytes.fromhex(open(folder + '/export.sig').read().strip())
try:
    nacl.signing.VerifyKey(bytes.fromhex(key)).verify(signed, signature)
    print('valid')
except nacl.exceptions.BadSignatureError:
    print('bad')
"""#

    @Test func pyNaClAcceptsTheSignatureAndRejectsAChange() async throws {
        try await QueryExportTests.withExport(.mbox) { store, out, _ in
            let key = try String(contentsOf: store.dataDirectory.appendingPathComponent("keys/archive.ed25519.pub"),
                                 encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            func check() async throws -> String {
                let result = try await ChildProcess.run(["/usr/bin/python3", "-c", Self.script, out.path, key])
                #expect(result.status == 0, "\(result.stderr)")
                return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let first = try await check()
            if first == "missing" {
                if ProcessInfo.processInfo.environment["CI"] == "true" {
                    Issue.record("python3-nacl is not installed (CI installs it)")
                } else {
                    print("skipped: python3-nacl is not installed for /usr/bin/python3")
                }
                return
            }
            #expect(first == "valid")
            let sums = out.appendingPathComponent("SHA256SUMS")
            let changed = try String(contentsOf: sums, encoding: .utf8)
                .replacingOccurrences(of: "manifest.csv", with: "manifest.CSV")
            try changed.write(to: sums, atomically: false, encoding: .utf8)
            #expect(try await check() == "bad")
        }
    }
}
