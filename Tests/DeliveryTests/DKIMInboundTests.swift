@testable import Delivery
import Foundation
import Testing
import TestSupport

/// Messages signed by dkimpy, verified by DKIMInboundVerifier with the key records served by the
/// test DNS server; each verdict must be dkimpy's own verdict on the same message and records.
struct DKIMInboundTests {
    /// Writes signed cases as JSON: [{name, message (base64), dkimpy (bool)}] and the records.
    static let script = #"""
        import base64, json, subprocess, sys, time
        import dkim, nacl.signing, nacl.encoding
        folder = sys.argv[1]
        def openssl(*args, data=None):
            return subprocess.run(['openssl', *args], input=data, capture_output=True, check=True).stdout
        def rsa_key():
            pem = openssl('genrsa', '-traditional', '2048')
            der = openssl('rsa', '-pubout', '-outform', 'DER', data=pem)
            return pem, base64.b64encode(der).decode()
        rsa_pem, rsa_pub = rsa_key()
        other_pem, other_pub = rsa_key()
        ed = nacl.signing.SigningKey.generate()
        ed_priv = ed.encode(encoder=nacl.encoding.Base64Encoder)
        ed_pub = ed.verify_key.encode(encoder=nacl.encoding.Base64Encoder).decode()
        records = {
            'rsa._domainkey.example.test': 'v=DKIM1; k=rsa; p=' + rsa_pub,
            'ed._domainkey.example.test': 'v=DKIM1; k=ed25519; p=' + ed_pub,
            'wrong._domainkey.example.test': 'v=DKIM1; k=rsa; p=' + other_pub,
            'revoked._domainkey.example.test': 'v=DKIM1; k=rsa; p=',
            'sha1only._domainkey.example.test': 'v=DKIM1; k=rsa; h=sha1; p=' + rsa_pub,
        }
        message = (b'From: Alice <alice@example.test>\r\nTo: bob@example.org\r\nSubject: Quarterly  figures\r\n'
                   b'Date: Mon, 07 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\n'
                   b'Hello Bob,\r\n\r\nthe figures  are attached.\r\n\r\n\r\n')
        def sign(selector, key, canon=(b'relaxed', b'relaxed'), algorithm=b'rsa-sha256', length=False, signer=dkim.DKIM):
            d = signer(message)
            field = d.sign(selector.encode(), b'example.test', key, signature_algorithm=algorithm,
                           canonicalize=canon, include_headers=[b'from', b'to', b'subject', b'date', b'message-id'],
                           length=length)
            return field + message
        class Expiring(dkim.DKIM):
            def gen_header(self, fields, *rest, **named):
                return super().gen_header([(b'x', b'1600003600')] + list(fields), *rest, **named)
        real_time = time.time
        time.time = lambda: 1600000000.0
        expiring = sign('rsa', rsa_pem, signer=Expiring)
        time.time = real_time
        cases = [
            ('rsa relaxed/relaxed', sign('rsa', rsa_pem)),
            ('rsa simple/simple', sign('rsa', rsa_pem, canon=(b'simple', b'simple'))),
            ('rsa relaxed/simple', sign('rsa', rsa_pem, canon=(b'relaxed', b'simple'))),
            ('ed25519 relaxed/relaxed', sign('ed', ed_priv, algorithm=b'ed25519-sha256')),
            ('ed25519 simple/relaxed', sign('ed', ed_priv, canon=(b'simple', b'relaxed'), algorithm=b'ed25519-sha256')),
            ('l= with text appended', sign('rsa', rsa_pem, length=True) + b'P.S. added by a list\r\n'),
            ('body changed', sign('rsa', rsa_pem).replace(b'attached', b'ATTACHED')),
            ('ed25519 body changed', sign('ed', ed_priv, algorithm=b'ed25519-sha256').replace(b'Hello', b'Hallo')),
            ('header changed', sign('rsa', rsa_pem).replace(b'Quarterly', b'Monthly')),
            ('simple body re-spaced', sign('rsa', rsa_pem, canon=(b'simple', b'simple')).replace(b'figures  are', b'figures are')),
            ('relaxed body re-spaced', sign('rsa', rsa_pem).replace(b'figures  are', b'figures are')),
            ('simple header re-spaced', sign('rsa', rsa_pem, canon=(b'simple', b'simple')).replace(b'Quarterly  figures', b'Quarterly figures')),
            ('relaxed header re-spaced', sign('rsa', rsa_pem).replace(b'Quarterly  figures', b'Quarterly figures')),
            ('wrong key', sign('rsa', rsa_pem).replace(b's=rsa;', b's=wrong;')),
            ('revoked key', sign('rsa', rsa_pem).replace(b's=rsa;', b's=revoked;')),
            ('key without sha256', sign('rsa', rsa_pem).replace(b's=rsa;', b's=sha1only;')),
            ('no key record', sign('rsa', rsa_pem).replace(b's=rsa;', b's=absent;')),
            ('expired', expiring),
        ]
        def dnsfunc(name, timeout=5):
            value = records.get(name.decode().rstrip('.').lower())
            return value.encode() if value is not None else None
        out = []
        for name, signed in cases:
            try:
                verdict = dkim.DKIM(signed).verify(dnsfunc=dnsfunc)
            except Exception:
                verdict = False
            out.append({'name': name, 'message': base64.b64encode(signed).decode(), 'dkimpy': bool(verdict)})
        json.dump({'records': records, 'cases': out}, open(folder + '/cases.json', 'w'))
        """#

    /// Each case's expected code (RFC 6376 §6.1 as RFC 8601 §2.7.1 names them).
    static let expected: [String: DKIMSignatureResult.Code] = [
        "rsa relaxed/relaxed": .pass, "rsa simple/simple": .pass, "rsa relaxed/simple": .pass,
        "ed25519 relaxed/relaxed": .pass, "ed25519 simple/relaxed": .pass, "l= with text appended": .pass,
        "body changed": .fail, "ed25519 body changed": .fail, "header changed": .fail,
        "simple body re-spaced": .fail, "relaxed body re-spaced": .pass,
        "simple header re-spaced": .fail, "relaxed header re-spaced": .pass,
        "wrong key": .fail, "revoked key": .permerror, "key without sha256": .permerror,
        "no key record": .permerror, "expired": .fail,
    ]

    struct Signed: Decodable {
        struct Case: Decodable {
            var name: String
            var message: String
            var dkimpy: Bool
        }
        var records: [String: String]
        var cases: [Case]
    }

    static func signWithDkimpy() throws -> Signed? {
        guard try Dkimpy.available() else { return nil }
        let folder = try makeTemporaryDirectory(prefix: "tresor-dkim-inbound")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scriptURL = folder.appendingPathComponent("sign.py")
        try Data(script.utf8).write(to: scriptURL)
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: Dkimpy.python)
        process.arguments = [scriptURL.path, folder.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode(Signed.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
    }

    @Test func verdictsMatchDkimpy() async throws {
        guard let signed = try Self.signWithDkimpy() else { return }
        let dns = try await TestDNSServer.start(records: .init(txt: signed.records.mapValues { [$0] }))
        defer { Task { await dns.stop() } }
        let verifier = DKIMInboundVerifier(dns: DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: dns.port)]))
        #expect(signed.cases.count == Self.expected.count)
        for testCase in signed.cases {
            let message = [UInt8](try #require(Data(base64Encoded: testCase.message)))
            let results = await verifier.verify(message, now: Date())
            try #require(results.count == 1, "\(testCase.name)")
            #expect(results[0].code == Self.expected[testCase.name], "\(testCase.name): \(results[0])")
            #expect((results[0].code == .pass) == testCase.dkimpy, "\(testCase.name): dkimpy says \(testCase.dkimpy)")
            #expect(results[0].domain == "example.test")
        }
        // x= is compared with the clock passed in: before the expiry the same signature verifies.
        let expiring = try #require(signed.cases.first { $0.name == "expired" })
        let message = [UInt8](try #require(Data(base64Encoded: expiring.message)))
        let early = await verifier.verify(message, now: Date(timeIntervalSince1970: 1_600_001_000))
        #expect(early.map(\.code) == [.pass])
    }

    @Test func unsignedMessageHasNoResults() async throws {
        let verifier = DKIMInboundVerifier(dns: DNSResolver(servers: []))
        let results = await verifier.verify(Array("From: a@example.test\r\n\r\nhi\r\n".utf8), now: Date())
        #expect(results.isEmpty)
    }

    @Test(arguments: [
        ("v=1; a=rsa-sha256; d=example.test; s=x; h=to; bh=AA==; b=AA==", DKIMSignatureResult.Code.permerror),
        ("v=1; a=rsa-sha1; d=example.test; s=x; h=from; bh=AA==; b=AA==", .neutral),
        ("v=1; a=rsa-sha256; d=example.test; s=x; bh=AA==; b=AA==", .permerror),
        ("v=1; a=rsa-sha256; d=example.test; i=@other.test; s=x; h=from; bh=AA==; b=AA==", .permerror),
        ("v=2; a=rsa-sha256; d=example.test; s=x; h=from; bh=AA==; b=AA==", .permerror),
    ])
    func malformedSignatures(field: String, expected: DKIMSignatureResult.Code) async throws {
        let verifier = DKIMInboundVerifier(dns: DNSResolver(servers: []))
        let message = Array("DKIM-Signature: \(field)\r\nFrom: a@example.test\r\n\r\nhi\r\n".utf8)
        #expect(await verifier.verify(message, now: Date()).map(\.code) == [expected])
    }
}
