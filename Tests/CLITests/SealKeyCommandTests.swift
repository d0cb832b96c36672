import Foundation
import Testing
import TestSupport

/// The seal key against someone with a shell on the server: an export re-signed with another key,
/// an archive re-signed with a fresh key, a key rotation, and the private key kept outside the
/// data directory — each driven through the real `tresor` as an administrator or auditor would.
@Suite struct SealKeyCommandTests {
    static let messages = [
        "From: Anna <anna@example.com>\r\nTo: bob@example.org\r\nSubject: contract signed\r\nDate: Tue, 1 Jul 2025 10:00:00 +0200\r\nMessage-ID: <k1@example.com>\r\n\r\nFrom now on the contract holds.\r\n",
        "From: Bob <bob@example.org>\r\nTo: anna@example.com\r\nSubject: Re: contract signed\r\nDate: Wed, 2 Jul 2025 10:00:00 +0200\r\nMessage-ID: <k2@example.org>\r\n\r\nFine.\r\n",
        "From: news@example.net\r\nTo: anna@example.com\r\nSubject: newsletter\r\nDate: Thu, 3 Jul 2025 10:00:00 +0200\r\n\r\nnothing to see\r\n",
        "From: Carl <carl@example.org>\r\nTo: anna@example.com\r\nSubject: invoice\r\nDate: Fri, 4 Jul 2025 10:00:00 +0200\r\nMessage-ID: <k4@example.org>\r\n\r\nPlease pay.\r\n",
        "From: Dora <dora@example.org>\r\nTo: anna@example.com\r\nSubject: minutes\r\nDate: Sat, 5 Jul 2025 10:00:00 +0200\r\nMessage-ID: <k5@example.org>\r\n\r\nAs agreed.\r\n",
    ]

    func tresor(_ dataDir: URL, _ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path])
    }

    /// `tresor init`, answering the public key it printed.
    func initialise(_ data: URL, _ extra: [String] = []) throws -> String {
        let result = try tresor(data, ["init"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("Archive public key") }
        return String(line?.split(separator: " ").last ?? "")
    }

    /// Imports `messages[range]`, each from its own file.
    func importMessages(_ data: URL, _ range: Range<Int>, into dir: URL) throws {
        let mail = dir.appendingPathComponent("mail-\(range.lowerBound)-\(range.upperBound)")
        try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
        for n in range { try Data(Self.messages[n].utf8).write(to: mail.appendingPathComponent("\(n).eml")) }
        let imported = try tresor(data, ["import", mail.path])
        #expect(imported.status == 0, "\(imported.stderr)")
    }

    func publishedKey(_ data: URL) throws -> String {
        try String(contentsOf: data.appendingPathComponent("keys/archive.ed25519.pub"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Exports

    @Test func aReSignedExportPassesOnlyWithoutAPin() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            let original = try initialise(data)
            try importMessages(data, 0..<3, into: dir)
            let out = dir.appendingPathComponent("export")
            #expect(try tresor(data, ["export", "--query", "contract", "--format", "eml", "--out", out.path]).status == 0)

            let honest = try CommandRunner.run("tresor", ["verify-export", out.path])
            #expect(honest.status == 3 && honest.stdout.hasSuffix("signer not verified\n"), "\(honest.stdout)")
            let pinned = try CommandRunner.run("tresor", ["verify-export", out.path, "--public-key", original])
            #expect(pinned.status == 0, "\(pinned.stdout)")

            // The attack: a message changed, SHA256SUMS, manifest.csv and export.json fixed to match,
            // and everything signed again with a key of the attacker's, named in export.json.
            let forger = try await Forger(in: dir)
            try await forger.tamper(with: out, replacing: "holds", by: "voids", archiveKey: original)

            let unpinned = try CommandRunner.run("tresor", ["verify-export", out.path])
            #expect(unpinned.status == 3, "\(unpinned.stdout)")
            #expect(unpinned.stdout.contains(forger.publicKey) && unpinned.stdout.hasSuffix("signer not verified\n"))
            let caught = try CommandRunner.run("tresor", ["verify-export", out.path, "--public-key", original])
            #expect(caught.status == 1, "\(caught.stdout)")
            #expect(caught.stdout.contains("signed by key \(forger.publicKey)"))
            let byArchive = try CommandRunner.run("tresor", ["verify-export", out.path, "--data-dir", data.path])
            #expect(byArchive.status == 1 && byArchive.stdout.contains(forger.publicKey), "\(byArchive.stdout)")
        }
    }

    // MARK: - The archive

    @Test func aReSignedArchiveFailsVerifyWithTheOriginalKey() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            let original = try initialise(data)
            try importMessages(data, 0..<5, into: dir)
            #expect(try tresor(data, ["verify", "--public-key", original]).status == 0)

            // The attack: the last two messages dropped by building the history again under a fresh
            // key — archive, catalog and published key — and putting it in the original's place.
            let forgery = dir.appendingPathComponent("forgery")
            let forgerKey = try initialise(forgery)
            try importMessages(forgery, 0..<3, into: dir)
            try FileManager.default.removeItem(at: data)
            try FileManager.default.moveItem(at: forgery, to: data)

            let unpinned = try tresor(data, ["verify"])
            #expect(unpinned.status == 0, "without a pin the forgery passes: \(unpinned.stdout)")
            let keyFile = dir.appendingPathComponent("auditor.pub")
            try Data((original + "\n").utf8).write(to: keyFile)
            for pin in [original, keyFile.path] {
                let caught = try tresor(data, ["verify", "--public-key", pin])
                #expect(caught.status == 1, "\(caught.stdout)")
                let failure = caught.stdout.split(separator: "\n").first { $0.hasPrefix("FAILED") } ?? ""
                #expect(failure.contains(forgerKey) && failure.contains(original), "\(caught.stdout)")
            }
        }
    }

    @Test func aRotationKeepsTheOriginalPinAndRefusesAStranger() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            let original = try initialise(data)
            try importMessages(data, 0..<2, into: dir)
            let rotated = try tresor(data, ["keys", "rotate", "--actor", "custodian"])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            let newKey = try publishedKey(data)
            #expect(newKey != original && rotated.stdout.contains("new key  \(newKey)"))
            try importMessages(data, 2..<5, into: dir)

            let listed = try tresor(data, ["keys", "list"])
            #expect(listed.status == 0)
            let lines = listed.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("root     \(original)") == true && lines.contains { $0.hasPrefix("rotated  \(newKey)") })
            let verified = try tresor(data, ["verify", "--public-key", original])
            #expect(verified.status == 0, "\(verified.stdout)")
            #expect(verified.stdout.contains(newKey))
            let audit = try tresor(data, ["audit", "--json"])
            #expect(audit.stdout.contains("key rotate") && audit.stdout.contains(newKey))

            let stranger = try initialise(dir.appendingPathComponent("stranger"))
            let refused = try tresor(data, ["verify", "--public-key", stranger])
            #expect(refused.status == 1 && refused.stdout.contains(stranger), "\(refused.stdout)")

            // An export after the rotation is signed by the new key: the chain of keys vouches for it.
            let out = dir.appendingPathComponent("export")
            #expect(try tresor(data, ["export", "--query", "invoice", "--out", out.path]).status == 0)
            let chain = data.appendingPathComponent("keys/archive.ed25519.chain").path
            #expect(try CommandRunner.run("tresor", ["verify-export", out.path, "--public-key", chain]).status == 0)
            #expect(try CommandRunner.run("tresor", ["verify-export", out.path, "--data-dir", data.path]).status == 0)
            let fromRoot = try CommandRunner.run("tresor", ["verify-export", out.path, "--data-dir", data.path,
                                                            "--public-key", original])
            #expect(fromRoot.status == 0, "\(fromRoot.stdout)")
            let rootOnly = try CommandRunner.run("tresor", ["verify-export", out.path, "--public-key", original])
            #expect(rootOnly.status == 1 && rootOnly.stdout.contains(newKey))
        }
    }

    // MARK: - The key outside the data directory

    static let send = #"""
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='client.test', timeout=60)
s.sendmail('someone@remote.test', ['alice@localhost'], ('From: <someone@remote.test>\r\nTo: <alice@localhost>\r\n'
           'Subject: %s\r\nMessage-ID: <%s@remote.test>\r\n\r\nhello\r\n' % (sys.argv[2], sys.argv[2])).encode())
s.quit()
"""#

    @Test func theSealKeyOutsideTheDataDirectoryServesImportsAndRotates() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            let sealKey = dir.appendingPathComponent("etc/tresor/seal.key")
            let original = try initialise(data, ["--seal-key", sealKey.path])
            let keys = try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("keys").path)
            #expect(!keys.contains("archive.ed25519"), "\(keys)")
            // Public files of the seal key, and the login cache's secret (no signing power).
            #expect(keys.allSatisfy { $0.hasPrefix("archive.ed25519.") || $0 == "login-cache.key" }, "\(keys)")
            #expect(keys.contains("login-cache.key"))
            let mode = try FileManager.default.attributesOfItem(atPath: sealKey.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // `init` made localhost local (the default `domains`), so the user is added at once.
            let user = try CommandRunner.run("tresor", ["user", "add", "alice@localhost", "--password-stdin",
                                                        "--data-dir", data.path], stdin: Array("secret\n".utf8))
            #expect(user.status == 0, "\(user.stderr)")
            try importMessages(data, 0..<2, into: dir)

            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.keys.test", tables: """
                [archive]
                seal_key = "etc/tresor/seal.key"
                """).utf8).write(to: config)
            let serve = try await ServeProcess.start(config: config)
            defer { serve.killIfRunning() }
            let port = try #require(serve.ports["smtp"])
            _ = try await ChildProcess.python(Self.send, [String(port), "before"])
            // A rotation beside the running server: its next message is sealed with the new key.
            let rotated = try tresor(data, ["keys", "rotate"])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            _ = try await ChildProcess.python(Self.send, [String(port), "after"])
            await serve.stop(SIGTERM)

            #expect(try tresor(data, ["search", "subject:after", "--count"]).stdout.hasPrefix("1"))
            let verified = try tresor(data, ["verify", "--public-key", original])
            #expect(verified.status == 0, "\(verified.stdout)")
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("keys/archive.ed25519").path))
            #expect(try publishedKey(data) != original)
        }
    }

    @Test func badSealKeyFilesAreNamed() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            let sealKey = dir.appendingPathComponent("seal.key")
            _ = try initialise(data, ["--seal-key", sealKey.path])
            func serveFails(_ table: String) async throws -> String {
                let config = dir.appendingPathComponent("tresor.toml")
                try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.keys.test", tables: table).utf8)
                    .write(to: config)
                let result = try CommandRunner.run("tresor", ["serve", "--config", config.path])
                #expect(result.status != 0, "serve started with \(table)")
                return result.stderr
            }

            let missing = dir.appendingPathComponent("nowhere/seal.key").path
            #expect(try await serveFails("[archive]\nseal_key = \"\(missing)\"\n").contains(missing))
            #expect(try await serveFails("[archive]\nseal_key = \"\"\n").contains("archive.seal_key"))

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: sealKey.path)
            let open = try tresor(data, ["search", "contract"])
            #expect(open.status != 0 && open.stderr.contains(sealKey.path) && open.stderr.contains("0644"), "\(open.stderr)")
            #expect(try await serveFails("").contains(sealKey.path))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sealKey.path)
            #expect(try tresor(data, ["search", "contract"]).status == 0)

            // Another archive's key, and a private key left in the data directory, are refused too.
            _ = try initialise(dir.appendingPathComponent("other"))
            let otherKey = dir.appendingPathComponent("other/keys/archive.ed25519").path
            #expect(try await serveFails("[archive]\nseal_key = \"\(otherKey)\"\n").contains(otherKey))
            let left = data.appendingPathComponent("keys/archive.ed25519")
            try FileManager.default.copyItem(at: sealKey, to: left)
            let leftOver = try tresor(data, ["search", "contract"])
            #expect(leftOver.status != 0 && leftOver.stderr.contains(left.path), "\(leftOver.stderr)")
        }
    }
}

struct OpenSSLFailed: Error {
    var arguments: [String]
    var stderr: String
}

/// Someone with a shell and openssl: an Ed25519 key of their own, and an export made to match a
/// changed message and signed again with it.
struct Forger {
    let folder: URL
    let keyFile: URL
    let publicKey: String

    init(in directory: URL) async throws {
        folder = directory.appendingPathComponent("forger")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        keyFile = folder.appendingPathComponent("key.pem")
        try await Self.openssl(["genpkey", "-algorithm", "ed25519", "-out", keyFile.path])
        let der = folder.appendingPathComponent("public.der")
        try await Self.openssl(["pkey", "-in", keyFile.path, "-pubout", "-outform", "DER", "-out", der.path])
        publicKey = Self.hex(Array(try Data(contentsOf: der)).suffix(32))
    }

    /// The 64-byte Ed25519 signature of `message`, as hex.
    func sign(_ message: [UInt8]) async throws -> String {
        let input = folder.appendingPathComponent("message.bin"), output = folder.appendingPathComponent("signature.bin")
        try Data(message).write(to: input)
        try await Self.openssl(["pkeyutl", "-sign", "-inkey", keyFile.path, "-rawin", "-in", input.path, "-out", output.path])
        return Self.hex(Array(try Data(contentsOf: output)))
    }

    func sha256(_ bytes: [UInt8]) async throws -> String {
        let input = folder.appendingPathComponent("digest.bin")
        try Data(bytes).write(to: input)
        let result = try await ChildProcess.run(["sha256sum", input.path])
        return String(result.stdout.prefix(64))
    }

    /// Changes `old` to `new` (same length) in the one message file that holds it, and makes the
    /// export consistent again: its SHA256SUMS line, its manifest row, manifest.csv's line,
    /// export.json's manifest hash, public key and HEAD signature, and export.sig.
    func tamper(with export: URL, replacing old: String, by new: String, archiveKey: String) async throws {
        let messages = export.appendingPathComponent("messages")
        let names = try FileManager.default.contentsOfDirectory(atPath: messages.path)
        let name = try #require(try names.first { try String(contentsOf: messages.appendingPathComponent($0), encoding: .utf8).contains(old) })
        let file = messages.appendingPathComponent(name)
        let before = Array(try Data(contentsOf: file))
        let after = Array(String(decoding: before, as: UTF8.self).replacingOccurrences(of: old, with: new).utf8)
        try Data(after).write(to: file)
        let (oldSum, newSum) = (try await sha256(before), try await sha256(after))

        let manifest = export.appendingPathComponent("manifest.csv")
        let manifestBefore = Array(try Data(contentsOf: manifest))
        let manifestAfter = Array(String(decoding: manifestBefore, as: UTF8.self)
            .replacingOccurrences(of: "\(oldSum),\(oldSum),", with: "\(newSum),\(newSum),").utf8)
        try Data(manifestAfter).write(to: manifest)
        let (oldManifest, newManifest) = (try await sha256(manifestBefore), try await sha256(manifestAfter))

        let sums = export.appendingPathComponent("SHA256SUMS")
        let sumsText = try String(contentsOf: sums, encoding: .utf8)
            .replacingOccurrences(of: "\(oldSum)  messages/\(name)", with: "\(newSum)  messages/\(name)")
            .replacingOccurrences(of: "\(oldManifest)  manifest.csv", with: "\(newManifest)  manifest.csv")
        try Data(sumsText.utf8).write(to: sums)

        let json = export.appendingPathComponent("export.json")
        var record = try String(contentsOf: json, encoding: .utf8)
            .replacingOccurrences(of: oldManifest, with: newManifest)
            .replacingOccurrences(of: archiveKey, with: publicKey)
        let object = try JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any]
        let head = try #require((object?["archive"] as? [String: Any])?["head"] as? [String: Any])
        let oldSignature = try #require(head["signature"] as? String)
        var signed = Array("tresor-head-v1".utf8)
        Self.append(UInt32(try #require(head["segment"] as? Int)), to: &signed)
        Self.append(UInt64(try #require(head["length"] as? Int)), to: &signed)
        Self.append(UInt64(try #require(head["records"] as? Int)), to: &signed)
        signed += Self.bytes(try #require(head["chain"] as? String))
        record = record.replacingOccurrences(of: oldSignature, with: try await sign(signed))
        try Data(record.utf8).write(to: json)

        let exportSigned = "tresor-export-v1\nexport.json \(try await sha256(Array(record.utf8)))\n"
            + "SHA256SUMS \(try await sha256(Array(sumsText.utf8)))\n"
        try Data((try await sign(Array(exportSigned.utf8)) + "\n").utf8).write(to: export.appendingPathComponent("export.sig"))
    }

    static func openssl(_ arguments: [String]) async throws {
        let result = try await ChildProcess.run(["openssl"] + arguments)
        guard result.status == 0 else { throw OpenSSLFailed(arguments: arguments, stderr: result.stderr) }
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
