import Crypto
import Foundation
import Testing
import TestSupport

/// `tresor report procedure`: the procedure documentation lists what the data directory holds
/// (operators, policies and their locked versions, holds, restrictions, the private-mail rule, seal
/// keys, purges), the same data gives the same files byte for byte, and report.sig is the archive
/// key's signature over both files.
@Suite struct ProcedureReportTests {
    static let contract = Array("""
        From: Anna <anna@example.com>\r
        To: Ben <ben@example.com>\r
        Subject: The contract | draft <b>\r
        Message-ID: <contract@example.com>\r
        Date: Mon, 2 Jun 2025 10:00:00 +0000\r
        \r
        Clause 7.\r

        """.utf8)

    static let lockedPolicy = """
        [[policy]]
        name = "contracts"
        match = "subject:contract"
        retain = "10y"
        count_from = "year-end"
        action = "purge"
        locked = true
        """

    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin,
                              environment: TestOperators.environment(dir))
    }

    func files(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in ["report.md", "report.html", "report.sig"] {
            result[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return result
    }

    @Test func theReportListsTheRecordAndIsTheSameTwiceAndSigned() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            #expect(try tresor(dir, ["operator", "add", "bob", "--role", "compliance"]).status == 0)
            #expect(try tresor(dir, ["import", "-"], stdin: Self.contract).status == 0)
            let policies = dir.appendingPathComponent("pol", isDirectory: true)
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            try Self.lockedPolicy.write(to: policies.appendingPathComponent("contracts.toml"), atomically: true, encoding: .utf8)
            let applied = try tresor(dir, ["retention", "apply", "--yes", "--policies", policies.path])
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(try tresor(dir, ["hold", "add", "acme", "--query", "subject:contract", "--reason", "lawsuit"]).status == 0)
            #expect(try tresor(dir, ["restrict", "add", "dsr-1", "--query", "from:jane@example.com",
                                     "--reason", "Art. 18 request"]).status == 0)
            #expect(try tresor(dir, ["private", "set", "--folder", "Privat"]).status == 0)
            #expect(try tresor(dir, ["operator", "scope", "bob", "--case", "acme"]).status == 0)

            let first = dir.appendingPathComponent("first"), second = dir.appendingPathComponent("second")
            let made = try tresor(dir, ["report", "procedure", "--policies", policies.path, "--out", first.path])
            #expect(made.status == 0, "\(made.stderr)")
            #expect(try tresor(dir, ["report", "procedure", "--policies", policies.path, "--out", second.path]).status == 0)
            let one = try files(first), two = try files(second)
            #expect(one == two, "the same data gives the same report")

            let markdown = String(decoding: try #require(one["report.md"]), as: UTF8.self)
            for expected in ["| alice | admin |", "| bob | compliance |", "| acme | subject:contract | lawsuit |",
                             "| dsr-1 | from:jane@example.com | Art. 18 request |", "folder=Privat",
                             "contracts", "10y", "| bob | not set | cases acme |", "require_approval", "## Seal keys", "retention lock", "Tresor 0.1.0"] {
                #expect(markdown.contains(expected), "report.md lacks \(expected)")
            }
            let html = String(decoding: try #require(one["report.html"]), as: UTF8.self)
            #expect(html.contains("<td>acme</td>") && html.contains("<h2>Legal holds</h2>"))
            #expect(!html.contains("<b>"), "cells are escaped")

            // report.sig: both files' SHA-256 and the archive key's signature over those lines.
            let sig = String(decoding: try #require(one["report.sig"]), as: UTF8.self)
            let lines = sig.split(separator: "\n").map(String.init)
            let fields = Dictionary(uniqueKeysWithValues: lines.compactMap { line -> (String, String)? in
                guard let space = line.firstIndex(of: " ") else { return nil }
                return (String(line[..<space]), String(line[line.index(after: space)...]))
            })
            let mdHash = SHA256.hash(data: try #require(one["report.md"])).map { String(format: "%02x", $0) }.joined()
            #expect(fields["report.md"] == mdHash)
            let signed = lines.filter { !$0.hasPrefix("signature ") }.joined(separator: "\n") + "\n"
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: try #require(hexBytes(fields["key"])))
            let signature = try #require(hexBytes(fields["signature"]))
            #expect(key.isValidSignature(signature, for: Data(signed.utf8)))
            #expect(!key.isValidSignature(signature, for: Data(signed.replacingOccurrences(of: mdHash, with: String(repeating: "0", count: 64)).utf8)))
            let verify = try tresor(dir, ["verify"])
            #expect(verify.stdout.contains(try #require(fields["key"])), "the key is the archive's: \(verify.stdout)")
        }
    }

    func hexBytes(_ text: String?) -> [UInt8]? {
        guard let text, text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
