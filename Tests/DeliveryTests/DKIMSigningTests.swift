import Delivery
import Foundation
import Testing
import TestSupport

/// DKIM signing (RFC 6376, RFC 8463): canonicalisation, the field's form, the key store, and
/// signatures that dkimpy verifies for both algorithms, on fixtures and on the corpus.
@Suite struct DKIMSigningTests {
    static let fixedTime = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// Messages that exercise the relaxed rules: folding, WSP runs, trailing WSP, trailing empty
    /// lines, an empty body, a body without a final CRLF, repeated fields, 8-bit text.
    static let fixtures: [String] = [
        "From: Anna <anna@example.test>\r\nTo: bob@remote.test\r\nSubject: Hello\r\nDate: Thu, 1 Jan 2026 10:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\nHi Bob,\r\nsee you.\r\n",
        "From:anna@example.test\r\nTo:  bob@remote.test,\r\n\t carl@remote.test \r\nSubject:   spaced\t\tout   \r\n\r\n  leading and   inner\t\tspace  \r\ntrailing tab\t\r\n\r\n\r\n\r\n",
        "From: anna@example.test\r\nSubject: empty body\r\n\r\n",
        "From: anna@example.test\r\nSubject: no final line break\r\n\r\nlast line",
        "Received: from a by b; Thu, 1 Jan 2026 10:00:00 +0000\r\nReceived: from c by d; Thu, 1 Jan 2026 09:00:00 +0000\r\nFrom: anna@example.test\r\nTo: one@remote.test\r\nTo: two@remote.test\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Zürich — ünïcödé\r\n\r\n",
        "From: \"A very long display name that goes on and on\" <anna@example.test>\r\nSubject: " + String(repeating: "long subject words ", count: 20) + "\r\nReferences: <a@x.test>\r\n <b@x.test>\r\n <c@x.test>\r\nIn-Reply-To: <c@x.test>\r\n\r\n" + String(repeating: "x", count: 998) + "\r\n.\r\n..dots\r\n",
    ]

    static func keyStore(in folder: URL) throws -> DKIMKeyStore {
        let store = DKIMKeyStore(directory: DKIMKeyStore.directory(in: folder), now: { fixedTime })
        try store.generateKey(domain: "Example.TEST", selector: "rsa1", algorithm: .rsa)
        try store.generateKey(domain: "example.test", selector: "ed1", algorithm: .ed25519)
        return store
    }

    static func records(of store: DKIMKeyStore) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try store.keys().map { ($0.recordName, $0.recordText) })
    }

    static func signed(_ message: [UInt8], by store: DKIMKeyStore) throws -> [UInt8] {
        guard let fields = try store.signatureFields(for: message, domain: "example.test") else {
            Issue.record("no signature for example.test")
            return message
        }
        return fields + message
    }

    // MARK: - Canonicalisation

    /// RFC 6376 §3.4.6's example, relaxed/relaxed.
    @Test func relaxedCanonicalisationOfTheRFCExample() throws {
        let message = Array("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n".utf8)
        let store = try Self.keyStore(in: try makeTemporaryDirectory())
        defer { try? FileManager.default.removeItem(at: store.directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let key = try #require(try store.keys(for: "example.test").first)
        // Sign a message with those fields plus a From, then check the body hash is that of
        // " C\r\nD E\r\n" (the RFC's canonical body).
        let field = try key.signer().signatureField(for: Array("From: x@example.test\r\n".utf8) + message, at: Self.fixedTime)
        let expected = Data(SHA256Digest.of(" C\r\nD E\r\n")).base64EncodedString()
        let text = String(decoding: field, as: UTF8.self).replacingOccurrences(of: "\r\n\t", with: "")
        #expect(text.contains("bh=\(expected);"), "\(text)")
    }

    @Test func emptyBodyAndBodyOfEmptyLinesHashLikeNothing() throws {
        let store = try Self.keyStore(in: try makeTemporaryDirectory())
        let key = try #require(try store.keys(for: "example.test").first)
        let empty = Data(SHA256Digest.of("")).base64EncodedString()
        for body in ["", "\r\n", "\r\n\r\n  \r\n\t\r\n"] {
            let field = try key.signer().signatureField(for: Array("From: x@example.test\r\n\r\n\(body)".utf8), at: Self.fixedTime)
            let text = String(decoding: field, as: UTF8.self).replacingOccurrences(of: "\r\n\t", with: "")
            #expect(text.contains("bh=\(empty);"), "body \(body.debugDescription): \(text)")
        }
    }

    // MARK: - The field

    @Test func fieldNamesTheSignedHeadersOversignsFromAndFoldsAt78Columns() throws {
        let store = try Self.keyStore(in: try makeTemporaryDirectory())
        let message = Array(Self.fixtures[4].utf8)
        let fields = String(decoding: try #require(try store.signatureFields(for: message, domain: "example.test")), as: UTF8.self)
        let signatures = fields.components(separatedBy: "\r\nDKIM-Signature:")
        #expect(signatures.count == 2)
        #expect(fields.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test; s=rsa1;"))
        #expect(fields.replacingOccurrences(of: "\r\n\t", with: " ")
            .contains("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.test; s=ed1;"))
        #expect(fields.hasSuffix("\r\n") && !fields.hasSuffix("\r\n\r\n"))
        for line in fields.split(separator: "\r\n") { #expect(line.count <= 78, "\(line)") }
        let unfolded = fields.replacingOccurrences(of: "\r\n\t", with: "")
        #expect(unfolded.contains("t=1767225600;"))
        // Two To fields signed twice, From once plus once more, Received never.
        #expect(unfolded.contains("h=from:from:subject:to:to:mime-version:content-type:content-transfer-encoding;"), "\(unfolded)")
        #expect(!unfolded.contains("received"))
    }

    @Test func aMessageWithoutFromCannotBeSigned() throws {
        let store = try Self.keyStore(in: try makeTemporaryDirectory())
        #expect(throws: DKIMError.missingFrom) {
            try store.signatureFields(for: Array("Subject: x\r\n\r\nbody\r\n".utf8), domain: "example.test")
        }
    }

    // MARK: - Verification on our side

    @Test func ownVerifierAcceptsBothSignaturesAndCatchesTampering() throws {
        let store = try Self.keyStore(in: try makeTemporaryDirectory())
        let records = try Self.records(of: store)
        let verifier = DKIMVerifier { records[$0] }
        for fixture in Self.fixtures {
            let signed = try Self.signed(Array(fixture.utf8), by: store)
            #expect(try verifier.verify(signed) == ["example.test", "example.test"])
        }
        let signed = String(decoding: try Self.signed(Array(Self.fixtures[0].utf8), by: store), as: UTF8.self)
        let tamperings = [
            signed.replacingOccurrences(of: "see you.", with: "see you!"),                   // body
            signed.replacingOccurrences(of: "Subject: Hello", with: "Subject: Hallo"),       // signed header
            signed.replacingOccurrences(of: "To: bob@", with: "From: mallory@evil.test\r\nTo: bob@"),  // second From
            signed.replacingOccurrences(of: "d=example.test", with: "d=example.tesu"),       // signature field
        ]
        for tampered in tamperings {
            #expect(throws: DKIMError.self) { try verifier.verify(Array(tampered.utf8)) }
        }
        // Re-folding and whitespace changes that relaxed canonicalisation forgives.
        let refolded = signed.replacingOccurrences(of: "Subject: Hello", with: "Subject:   Hello \r\n\t")
            .replacingOccurrences(of: "see you.", with: "see   you.   ")
        #expect(try verifier.verify(Array(refolded.utf8)).count == 2)
        // An unsigned header may be added.
        #expect(try verifier.verify(Array(("Received: from x by y\r\n" + signed).utf8)).count == 2)
    }

    // MARK: - dkimpy

    @Test func dkimpyVerifiesFixturesSignedWithBothAlgorithms() throws {
        guard try Dkimpy.available() else { return }
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.keyStore(in: folder)
        let messages = try Self.fixtures.map { try Self.signed(Array($0.utf8), by: store) }
        let verdicts = try Dkimpy.verify(messages, records: try Self.records(of: store))
        #expect(verdicts == Array(repeating: .verified(signatures: 2), count: messages.count), "\(verdicts)")

        // dkimpy must be able to say no: a changed body fails, and so does a wrong key.
        var tampered = messages[0]
        tampered[tampered.count - 3] ^= 0x01
        let ownKeys = try Self.records(of: store)
        let otherStore = try Self.keyStore(in: try makeTemporaryDirectory())
        let bad = try Dkimpy.verify([tampered, messages[1]], records: ownKeys)
        #expect(bad[0] != .verified(signatures: 2))
        let wrongKey = try Dkimpy.verify([messages[1]], records: try Self.records(of: otherStore))
        #expect(wrongKey[0] != .verified(signatures: 2))
    }

    @Test func dkimpyVerifiesCorpusMessagesSignedWithBothAlgorithms() throws {
        guard try Dkimpy.available(), let corpus = try Corpus.locate() else { return }
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.keyStore(in: folder)
        let files = try Corpus.emlFiles(in: corpus).enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
        var messages: [[UInt8]] = []
        var names: [String] = []
        var withoutFrom = 0
        for file in files {
            let message = try Corpus.bytes(of: file).withCRLFLineEnds
            do {
                messages.append(try Self.signed(message, by: store))
                names.append(file.lastPathComponent)
            } catch DKIMError.missingFrom {
                withoutFrom += 1
            }
        }
        let verdicts = try Dkimpy.verify(messages, records: try Self.records(of: store))
        var verified = 0, unparseable = 0
        for (name, verdict) in zip(names, verdicts) {
            switch verdict {
            case .verified(let signatures):
                #expect(signatures == 2, "\(name)")
                verified += 1
            case .unparseable:
                unparseable += 1
            case .failed(let why):
                Issue.record("\(name): dkimpy says \(why)")
            }
        }
        print("DKIM corpus: \(verified) verified by dkimpy, \(unparseable) unparseable by dkimpy, \(withoutFrom) without From, of \(files.count)")
        #expect(verified >= 50)
        // Messages without From cannot be signed (RFC 6376 §5.4); of the others nearly all must
        // verify, the rest being what dkimpy's RFC 822 parser refuses.
        #expect(verified >= (files.count - withoutFrom) * 9 / 10)
    }

    // MARK: - Key store

    @Test func keyStoreKeepsKeysPrivateAndNeverOverwrites() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.keyStore(in: folder)
        let file = store.directory.appendingPathComponent("example.test/rsa1.rsa.pem")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: file.deletingLastPathComponent().path)
        #expect((folderAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let before = try Data(contentsOf: file)
        #expect(throws: DKIMError.self) { try store.generateKey(domain: "example.test", selector: "rsa1", algorithm: .rsa) }
        #expect(try Data(contentsOf: file) == before)
        #expect(throws: DKIMError.invalidName("../etc")) { try store.generateKey(domain: "../etc", selector: "x", algorithm: .rsa) }
        #expect(throws: DKIMError.self) { try store.generateKey(domain: "example.test", selector: "a/b", algorithm: .rsa) }

        let keys = try store.keys()
        #expect(keys.map { "\($0.domain) \($0.selector) \($0.algorithm)" } == ["example.test rsa1 rsa", "example.test ed1 ed25519"])
        #expect(try store.signatureFields(for: Array("From: a@b.test\r\n\r\n".utf8), domain: "other.test") == nil)
        // A key read back signs like the one generated (the PEM round trip keeps it).
        let reread = DKIMKeyStore(directory: store.directory, now: { Self.fixedTime })
        #expect(try reread.keys(for: "EXAMPLE.test").map(\.recordText) == keys.map(\.recordText))
    }

    @Test func recordTextAndZoneFileLine() throws {
        let store = try Self.keyStore(in: try makeTemporaryDirectory())
        let keys = try store.keys()
        let rsa = try #require(keys.first { $0.algorithm == .rsa })
        let ed = try #require(keys.first { $0.algorithm == .ed25519 })
        #expect(rsa.recordName == "rsa1._domainkey.example.test")
        #expect(rsa.recordText.hasPrefix("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"))
        #expect(ed.recordText.hasPrefix("v=DKIM1; k=ed25519; p="))
        #expect(ed.recordText.count == "v=DKIM1; k=ed25519; p=".count + 44)
        // An RSA-2048 record is longer than 255: two quoted strings that join back to the text.
        let line = rsa.zoneFileLine
        #expect(line.hasPrefix("rsa1._domainkey.example.test. IN TXT \""))
        let strings = line.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(strings.count == 2)
        #expect(strings.allSatisfy { $0.utf8.count <= 255 })
        #expect(strings.joined() == rsa.recordText)
        #expect(DKIMKeyStore.defaultSelector(for: .ed25519, at: Self.fixedTime) == "ed25519-202601")
    }
}

import Crypto

extension SHA256Digest {
    static func of(_ text: String) -> SHA256Digest { SHA256.hash(data: Array(text.utf8)) }
}
