@testable import Delivery
import Foundation
import Testing
import TestSupport

/// The Authentication-Results field (RFC 8601) as Tresor writes it, parsed back by python3-authres
/// (the authres package Debian installs with python3-spf) when it is there.
struct AuthenticationResultsFieldTests {
    static let field = AuthenticationResultsField.format(
        authservID: "mx.tresor.test",
        spf: (SPFResult(.pass, "example.test: matched ip4:192.0.2.0/24 (x)"), .mailFrom, domain: "example.test"),
        dkim: [DKIMSignatureResult(code: .fail, reason: "body hash did not verify", domain: "example.test",
                                   selector: "rsa", identity: "@example.test", algorithm: "rsa-sha256"),
               DKIMSignatureResult(code: .pass, reason: "signature verified", domain: "list.test",
                                   selector: "2026", identity: nil, algorithm: "ed25519-sha256")],
        dmarc: DMARCEvaluator.Outcome(code: .fail, fromDomain: "example.test", disposition: .reject, reason: "no aligned pass"))

    @Test func layout() {
        let text = String(decoding: Self.field, as: UTF8.self)
        #expect(text.hasPrefix("Authentication-Results: mx.tresor.test;\r\n\tspf=pass "))
        #expect(text.contains("(example.test: matched ip4:192.0.2.0/24 \\(x\\))"))
        #expect(text.contains("dkim=fail (body hash did not verify) header.d=example.test header.s=rsa header.i=@example.test header.a=rsa-sha256;"))
        #expect(text.contains("dmarc=fail (p=reject; no aligned pass) header.from=example.test\r\n"))
        #expect(text.hasSuffix("\r\n") && !text.dropLast(2).contains("\r\n\r\n"))
    }

    @Test func values() {
        #expect(AuthenticationResultsField.value("example.test") == "example.test")
        #expect(AuthenticationResultsField.value("a b") == "\"a b\"")
        #expect(AuthenticationResultsField.value("") == "\"\"")
        #expect(AuthenticationResultsField.comment("a(b)\\") == "(a\\(b\\)\\\\)")
    }

    @Test func authresParsesIt() throws {
        let python = DebianPython.path
        guard try DebianPython.canImport("authres", package: "python3-authres, which python3-spf brings") else { return }
        let folder = try makeTemporaryDirectory(prefix: "tresor-authres")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fieldURL = folder.appendingPathComponent("field.txt")
        try Data(Self.field).write(to: fieldURL)
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import sys, authres
            field = authres.AuthenticationResultsHeader.parse(open(sys.argv[1]).read().replace('\\r\\n\\t', ' ').strip())
            print(field.authserv_id)
            for r in field.results:
                print(r.method, r.result, ' '.join(sorted('%s.%s=%s' % (p.type, p.name, p.value) for p in r.properties)))
            """, fieldURL.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == [
            "mx.tresor.test",
            "spf pass smtp.mailfrom=example.test",
            "dkim fail header.a=rsa-sha256 header.d=example.test header.i=@example.test header.s=rsa",
            "dkim pass header.a=ed25519-sha256 header.d=list.test header.s=2026",
            "dmarc fail header.from=example.test",
        ])
    }
}
