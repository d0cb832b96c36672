import Crypto
import Foundation
import Testing
import TestSupport

/// `tresor anchor` and `tresor verify` against a real TSA (`openssl ts -reply` behind Python's
/// http.server), and the attacks anchoring is there to find, played as someone with a shell on
/// the server would play them: putting back an older copy of the archive, or cutting records off
/// its end and signing a new HEAD with the key in DATA/keys/.
@Suite struct AnchorCommandTests {
    @Test func stampStatusExportAndVerify() async throws {
        try await AnchorScene.with { test, authority, server in
            try test.importMessage(1)
            let config = try test.writeConfiguration(url: server.url, authority: authority)
            let stamped = try test.stamp(config)
            #expect(stamped.stdout.contains("stamped by \(server.url)"))
            let copy = try #require(try test.copies().first)
            #expect(FileManager.default.fileExists(atPath: copy.base.path + ".tsr"))

            let status = try test.tresor(["anchor", "status", "--config", config])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("TSA \(server.url): last stamp"))
            #expect(try test.tresor(["audit"]).stdout.contains("anchor status"), "the look is audited")

            let witness = test.folder.appendingPathComponent("witness.json").path
            let exported = try test.tresor(["anchor", "export", witness, "--config", config])
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(try test.tresor(["anchor", "export", witness, "--config", config]).status != 0,
                    "an existing witness file is not overwritten")

            try test.importMessage(2)  // the archive extends the witnessed point
            let verified = try test.verify(["--config", config, "--witness", witness])
            #expect(verified.status == 0, "\(verified.stdout)")
            #expect(verified.stdout.contains("1 token(s) verified"))
            #expect(verified.stdout.contains("witness:    \(witness)"))
        }
    }

    /// Copy HEAD and the newest segment, import three more messages, stamp, put the copies back.
    @Test func aRollbackIsFoundByTheStampsCopiesAndByTheWitness() async throws {
        try await AnchorScene.with { test, authority, server in
            let config = try test.writeConfiguration(url: server.url, authority: authority)
            try test.importMessage(1)
            _ = try test.stamp(config)
            let oldHead = try Data(contentsOf: test.archive.appendingPathComponent("HEAD"))
            let oldSegment = try Data(contentsOf: test.segment)
            for n in 2...4 { try test.importMessage(n) }
            _ = try test.stamp(config)
            let witness = test.folder.appendingPathComponent("witness.json").path
            #expect(try test.tresor(["anchor", "export", witness, "--config", config]).status == 0)

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: test.segment.path)
            try oldSegment.write(to: test.segment)
            try oldHead.write(to: test.archive.appendingPathComponent("HEAD"))

            let found = try test.verify(["--config", config])
            #expect(found.status == 1, "\(found.stdout)")
            #expect(found.stdout.contains("FINDING anchors: anchors/") && found.stdout.contains("is not in the archive"))

            // The intruder also deletes the copies and rebuilds the catalog: the witness kept
            // elsewhere still finds it.
            let newest = try #require(try test.copies().last)
            for suffix in [".json", ".tsr"] { try FileManager.default.removeItem(atPath: newest.base.path + suffix) }
            #expect(try test.tresor(["reindex"]).status == 0)
            let withWitness = try test.verify(["--config", config, "--witness", witness])
            #expect(withWitness.status == 1, "\(withWitness.stdout)")
            #expect(withWitness.stdout.contains("FINDING witness: witness \(witness)"))
            #expect(withWitness.stdout.contains("no longer has"))
        }
    }

    /// Cut the records after the first stamp off the segment and sign a HEAD for the shorter
    /// archive with the key in DATA/keys/, as an intruder with the files can.
    @Test func aResignedHistoryIsFoundByTheCopiesAndByTheWitness() async throws {
        try await AnchorScene.with { test, authority, server in
            let config = try test.writeConfiguration(url: server.url, authority: authority)
            for n in 1...2 { try test.importMessage(n) }
            _ = try test.stamp(config)
            let firstCopy = try #require(try test.copies().first)
            let kept = try #require(RecordLocationText(firstCopy.location))
            for n in 3...7 { try test.importMessage(n) }
            _ = try test.stamp(config)
            let witness = test.folder.appendingPathComponent("witness.json").path
            #expect(try test.tresor(["anchor", "export", witness, "--config", config]).status == 0)
            #expect(try test.verify(["--config", config, "--witness", witness]).status == 0)

            try test.cutAndResign(after: kept.offset)
            #expect(try test.tresor(["reindex"]).status == 0)
            let found = try test.verify(["--config", config])
            #expect(found.status == 1, "\(found.stdout)")
            #expect(found.stdout.contains("FINDING anchors:"))

            let newest = try #require(try test.copies().last)
            for suffix in [".json", ".tsr"] { try FileManager.default.removeItem(atPath: newest.base.path + suffix) }
            let withWitness = try test.verify(["--config", config, "--witness", witness])
            #expect(withWitness.status == 1, "\(withWitness.stdout)")
            #expect(withWitness.stdout.contains("FINDING witness: witness \(witness)"))
        }
    }

    @Test func aStampFromATSAWhoseCAIsNotConfiguredIsNamed() async throws {
        try await AnchorScene.with { test, authority, server in
            try test.importMessage(1)
            let stamped = try test.tresor(["anchor", "stamp", "--tsa", server.url, "--ca", authority.caCertificate.path])
            #expect(stamped.status == 0, "\(stamped.stdout) \(stamped.stderr)")
            // The configuration trusts another TSA only.
            let otherFolder = test.folder.appendingPathComponent("other", isDirectory: true)
            try FileManager.default.createDirectory(at: otherFolder, withIntermediateDirectories: true)
            let other = try await OpenSSLAuthority.make(in: otherFolder, name: "Other TSA")
            let config = try test.writeConfiguration(url: "http://other-tsa.test/tsr", authority: other)
            let found = try test.verify(["--config", config])
            #expect(found.status == 1, "\(found.stdout)")
            let finding = try #require(found.stdout.split(separator: "\n").first { $0.hasPrefix("FINDING anchor:") })
            #expect(finding.contains(server.url) && finding.contains("not configured"))
            // Trusting its CA on the command line settles it.
            let trusted = try test.verify(["--config", config, "--tsa-ca", authority.caCertificate.path])
            #expect(trusted.status == 0, "\(trusted.stdout)")
        }
    }

    @Test func anUnreachableTSAIsAClearErrorAndNothingIsJournaled() async throws {
        try await AnchorScene.with { test, authority, _ in
            try test.importMessage(1)
            // A port that was free a moment ago: bound, read and released.
            let port = try await ChildProcess.python(
                "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()", [])
            let url = "http://127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))/tsa"
            let result = try test.tresor(["anchor", "stamp", "--tsa", url, "--ca", authority.caCertificate.path])
            #expect(result.status == 1)
            #expect(result.stderr.contains("FAILED \(url)") && result.stderr.contains("unreachable"), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was journaled"))
            #expect(!FileManager.default.fileExists(atPath: test.data.appendingPathComponent("anchors").path))
            let verified = try test.verify([])
            #expect(verified.status == 0 && !verified.stdout.contains("anchors:"), "\(verified.stdout)")
        }
    }
}

/// One test's folder: `data/` (made by `tresor init`), its configuration and witnesses, and the
/// commands and file surgery the tests use.
struct AnchorScene {
    let data: URL
    let folder: URL

    init(folder: URL) {
        self.folder = folder
        self.data = folder.appendingPathComponent("data", isDirectory: true)
    }

    func tresor(_ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", data.path], stdin: stdin)
    }

    /// `tresor.toml` naming the TSA at `url` with the CA of `authority`.
    func writeConfiguration(url: String, authority: OpenSSLAuthority, name: String = "tresor.toml") throws -> String {
        let file = folder.appendingPathComponent(name)
        try Data("""
            [anchor]
            interval = "1h"

            [[anchor.tsa]]
            url = "\(url)"
            ca = "\(authority.caCertificate.path)"

            """.utf8).write(to: file)
        return file.path
    }

    func importMessage(_ n: Int) throws {
        let raw = Array("From: Sender <s@example.com>\r\nTo: t@example.org\r\nSubject: message \(n)\r\nMessage-ID: <anchor-\(n)@example.com>\r\n\r\nBody \(n).\r\n".utf8)
        let result = try tresor(["import", "-"], stdin: raw)
        try #require(result.status == 0, "import: \(result.stderr)")
    }

    func stamp(_ config: String) throws -> CommandResult {
        let result = try tresor(["anchor", "stamp", "--config", config])
        try #require(result.status == 0, "anchor stamp: \(result.stdout) \(result.stderr)")
        return result
    }

    func verify(_ arguments: [String]) throws -> CommandResult { try tresor(["verify"] + arguments) }

    var archive: URL { data.appendingPathComponent("archive", isDirectory: true) }
    var segment: URL { archive.appendingPathComponent("segment-00000001.tsa") }

    /// The stamps' copies in DATA/anchors/ in journal order: (file base path, the anchor record's location).
    func copies() throws -> [(base: URL, location: String)] {
        let folder = data.appendingPathComponent("anchors", isDirectory: true)
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
            .map { name in
                let url = folder.appendingPathComponent(name)
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
                return (base: url.deletingPathExtension(), location: json?["location"] as? String ?? "")
            }
        return copies.sorted {
            let (a, b) = (RecordLocationText($0.location), RecordLocationText($1.location))
            return (a?.segment ?? 0, a?.offset ?? 0) < (b?.segment ?? 0, b?.offset ?? 0)
        }
    }

    /// Runs `body` in a fresh folder with an initialised data directory and a test TSA.
    static func with(_ body: (AnchorScene, OpenSSLAuthority, TSAServer) async throws -> Void) async throws {
        try await withTestTSA { authority, server in
            try await withTemporaryDirectory { folder in
                let test = AnchorScene(folder: folder)
                let initialised = try test.tresor(["init"])
                try #require(initialised.status == 0, "init: \(initialised.stderr)")
                try await body(test, authority, server)
            }
        }
    }

    // MARK: - The intruder's tools

    /// Truncates segment 1 after the record at `offset` and writes a HEAD for it, signed with the
    /// archive key (format: Sources/StoreModel/ArchiveHead.swift).
    func cutAndResign(after offset: UInt64) throws {
        var bytes = Array(try Data(contentsOf: segment))
        var position = 60  // the segment header
        var records: UInt64 = 0
        var end = 0
        var chain: [UInt8] = []
        while position + 4 <= bytes.count {
            let length = bytes[position..<position + 4].reduce(0) { $0 << 8 | Int($1) }
            records += 1
            chain = Array(bytes[(position + 46)..<(position + 78)])  // after length, kind, flags, size, content hash
            end = position + 4 + length + 4
            if position == Int(offset) { break }
            position = end
        }
        try #require(position == Int(offset), "no record at \(offset)")
        bytes.removeSubrange(end...)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: segment.path)
        try Data(bytes).write(to: segment)

        let keyText = try String(contentsOf: data.appendingPathComponent("keys/archive.ed25519"), encoding: .utf8)
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Self.bytes(hex: keyText))
        var fields: [UInt8] = []
        fields += Self.bigEndian(UInt32(1), count: 4) + Self.bigEndian(UInt64(end), count: 8)
            + Self.bigEndian(records, count: 8) + chain
        let signature = Array(try key.signature(for: Array("tresor-head-v1".utf8) + fields))
        let head = Array("TRESORHD".utf8) + Self.bigEndian(UInt16(1), count: 2) + fields + signature
        try Data(head).write(to: archive.appendingPathComponent("HEAD"))
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> ((count - 1 - $0) * 8)) }
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) ?? 0
        }
    }
}

/// `"segment:offset"`.
struct RecordLocationText {
    var segment: UInt32
    var offset: UInt64

    init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let segment = UInt32(parts[0]), let offset = UInt64(parts[1]) else { return nil }
        self.segment = segment
        self.offset = offset
    }
}
