import Catalog
import Delivery
import Foundation
import MailMessage
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// `[auth_checks]` end to end: messages sent with Python's smtplib to the MX listener of a
/// running server whose resolver is the test DNS server. A dkimpy-signed message from an aligned
/// domain passes; a forged From under p=reject is refused, filed into Junk or only recorded as
/// configured; the Authentication-Results field is in the archived bytes, Sieve sees it, `auth:`
/// queries find the deliveries, and a sender's field claiming our authserv-id is disarmed.
@Suite(.serialized) struct AuthChecksEndToEndTests {
    /// Signs one message for good.test with a fresh RSA key; prints the key record and the
    /// signed message (base64) as JSON.
    static let signer = #"""
import base64, json, subprocess, sys
import dkim
pem = subprocess.run(['openssl', 'genrsa', '-traditional', '2048'], capture_output=True, check=True).stdout
der = subprocess.run(['openssl', 'rsa', '-pubout', '-outform', 'DER'], input=pem, capture_output=True, check=True).stdout
message = (b'From: Alice <alice@good.test>\r\nTo: bob@local.test\r\nSubject: Signed\r\n'
           b'Date: Mon, 07 Dec 2026 10:00:00 +0000\r\nMessage-ID: <signed@good.test>\r\n\r\nHello Bob.\r\n')
field = dkim.sign(message, b'sel', b'good.test', pem, include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
print(json.dumps({'record': 'v=DKIM1; k=rsa; p=' + base64.b64encode(der).decode(),
                  'message': base64.b64encode(field + message).decode()}))
"""#

    /// Sends each (sender, file) over one MX session; prints one reply code per message.
    static let client = #"""
import smtplib, sys
port, rest = int(sys.argv[1]), sys.argv[2:]
s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.good.test', timeout=60)
for sender, path in zip(rest[0::2], rest[1::2]):
    try:
        s.sendmail(sender, ['bob@local.test'], open(path, 'rb').read())
        print(250)
    except smtplib.SMTPDataError as e:
        print(e.smtp_code)
        s.rset()
s.quit()
"""#

    struct Signed: Decodable {
        var record: String
        var message: String
    }

    static let forged = "From: The CEO <ceo@bank.test>\r\nTo: bob@local.test\r\nSubject: Wire the money\r\n"
        + "Date: Mon, 07 Dec 2026 10:05:00 +0000\r\nMessage-ID: <forged@evil.test>\r\n"
        + "Authentication-Results: MX.LOCAL.TEST; dmarc=pass header.from=bank.test\r\n\r\nToday, please.\r\n"
    static let softfail = "From: <carol@soft.test>\r\nTo: bob@local.test\r\nSubject: Soft\r\n"
        + "Date: Mon, 07 Dec 2026 10:06:00 +0000\r\nMessage-ID: <soft@soft.test>\r\n\r\nHi.\r\n"

    static let sieve = """
        require ["fileinto", "mailbox"];
        if header :contains "authentication-results" "dmarc=fail" { fileinto :create "Suspicious"; }
        """

    /// Where a message ended: its archived bytes, the mailboxes holding it, its `auth:` hits.
    struct Outcome {
        var raw: [UInt8]?
        var mailboxes: [String]
    }

    /// Runs one server with `mode` (nil: checks off) and, when `sieve`, bob's script filing DMARC
    /// failures into "Suspicious"; sends the three messages; hands the reply codes and a store
    /// opened afterwards to `inspect`.
    static func run(mode: TresorConfiguration.DMARCAction?, sieve: Bool = true, in folder: URL,
                    _ inspect: ([Int], MailStore) async throws -> Void) async throws {
        guard try Dkimpy.available() else { return }
        // Debian's python3, where python3-dkim is installed (the one on PATH may be another).
        let signing = try await ChildProcess.run([Dkimpy.python, "-c", signer])
        try #require(signing.status == 0, "dkimpy signing: \(signing.stderr)")
        let signedJSON = signing.stdout
        let signed = try JSONDecoder().decode(Signed.self, from: Data(signedJSON.utf8))
        let dns = try await TestDNSServer.start(records: .init(txt: [
            "good.test": ["v=spf1 ip4:127.0.0.1 -all"],
            "sel._domainkey.good.test": [signed.record],
            "_dmarc.good.test": ["v=DMARC1; p=reject"],
            "evil.test": ["v=spf1 -all"],
            "_dmarc.bank.test": ["v=DMARC1; p=reject; adkim=s"],
            "soft.test": ["v=spf1 ~all"],
        ]))
        defer { Task { await dns.stop() } }
        let data = try await RunningServer.makeDataDirectory(folder.appendingPathComponent("data"), domain: "local.test",
                                                             users: ["bob@local.test"])
        if sieve {
            let store = try MailStore(dataDirectory: data)
            defer { store.close() }
            try await store.rules.put("auth", source: Self.sieve, of: "bob@local.test", activate: true, by: .system("test"))
        }
        var configuration = RunningServer.configuration(hostname: "mx.local.test", domains: ["local.test"])
        configuration.delivery.dnsResolver = ResolverAddress(host: "127.0.0.1", port: dns.port)
        if let mode {
            configuration.authChecks.enabled = true
            configuration.authChecks.dmarcReject = mode
        }
        var files: [String] = []
        for (index, text) in [Array(Data(base64Encoded: signed.message)!), Array(forged.utf8), Array(softfail.utf8)]
            .enumerated() {
            let url = folder.appendingPathComponent("\(index).eml")
            try Data(text).write(to: url)
            files.append(url.path)
        }
        let server = try await RunningServer.start(configuration, data: data)
        let codes: [Int]
        do {
            let output = try await ChildProcess.python(client, [String(server.ports["smtp"]!),
                                                                "alice@good.test", files[0], "attacker@evil.test", files[1],
                                                                "carol@soft.test", files[2]])
            codes = output.split(separator: "\n").compactMap { Int($0) }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
        let store = try MailStore(dataDirectory: data)
        defer { store.close() }
        try await inspect(codes, store)
    }

    static func outcome(_ messageID: String, in store: MailStore) async throws -> Outcome {
        let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:\(messageID)"))
        var mailboxes: [String] = []
        for mailbox in try await store.mailboxes.mailboxes(of: "bob@local.test") {
            let messages = try await store.mailboxes.messages(in: mailbox.name, of: "bob@local.test")
            if messages.contains(where: { message in hits.contains { $0.id == message.sha256 } }) {
                mailboxes.append(mailbox.name)
            }
        }
        return Outcome(raw: try hits.first.flatMap { try store.archive.readBody(sha256: $0.id) }, mailboxes: mailboxes)
    }

    /// The Message-IDs an `auth:` query finds.
    static func found(_ query: String, in store: MailStore) async throws -> Set<String> {
        var ids: Set<String> = []
        for hit in try await store.catalog.messages.search(try SearchQuery(parsing: query)) {
            if let raw = try store.archive.readBody(sha256: hit.id), let id = Message(parsing: raw).messageID { ids.insert(id) }
        }
        return ids
    }

    static func results(in raw: [UInt8]?) -> [String] {
        guard let raw else { return [] }
        return Message(parsing: raw).header.all(named: "Authentication-Results").map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    @Test func alignedSignaturePassesAndForgeryIsRecorded() async throws {
        try await withTemporaryDirectory { folder in
            try await Self.run(mode: .record, in: folder) { codes, store in
                #expect(codes == [250, 250, 250])
                let signed = try await Self.outcome("signed@good.test", in: store)
                let signedResults = Self.results(in: signed.raw)
                #expect(signedResults.count == 1)
                let field = signedResults.first ?? ""
                #expect(field.hasPrefix("mx.local.test;"))
                #expect(field.contains("dkim=pass") && field.contains("header.d=good.test"))
                #expect(field.contains("spf=pass") && field.contains("dmarc=pass"))
                #expect(signed.mailboxes == ["INBOX"])

                let forged = try await Self.outcome("forged@evil.test", in: store)
                let forgedResults = Self.results(in: forged.raw)
                // Ours is the only one left: the sender's claim of our authserv-id was renamed.
                #expect(forgedResults.count == 1)
                #expect(forgedResults.first.map { $0.contains("dmarc=fail") && $0.contains("spf=fail") } == true)
                #expect(forged.raw.map { Message(parsing: $0).header.contains(named: "X-Untrusted-Authentication-Results") } == true)
                // record: filed as usual, and Sieve saw the field.
                #expect(forged.mailboxes == ["Suspicious"])

                let soft = try await Self.outcome("soft@soft.test", in: store)
                #expect(Self.results(in: soft.raw).first.map { $0.contains("spf=softfail") && $0.contains("dmarc=none") } == true)
                #expect(soft.mailboxes == ["INBOX"])

                #expect(try await Self.found("auth:dmarc=fail", in: store) == ["forged@evil.test"])
                #expect(try await Self.found("auth:dmarc=pass", in: store) == ["signed@good.test"])
                #expect(try await Self.found("auth:spf=fail", in: store) == ["forged@evil.test"])
                #expect(try await Self.found("auth:spf=softfail", in: store) == ["soft@soft.test"])
                #expect(try await Self.found("auth:dkim=pass", in: store) == ["signed@good.test"])
                #expect(try await Self.found("auth:dkim=none", in: store) == ["forged@evil.test", "soft@soft.test"])
            }
        }
    }

    @Test func forgeryUnderRejectPolicyIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            try await Self.run(mode: .reject, in: folder) { codes, store in
                #expect(codes == [250, 550, 250])
                let forged = try await Self.outcome("forged@evil.test", in: store)
                let signed = try await Self.outcome("signed@good.test", in: store)
                #expect(forged.raw == nil)
                #expect(signed.mailboxes == ["INBOX"])
            }
        }
    }

    @Test func forgeryUnderJunkIsFiledIntoJunk() async throws {
        try await withTemporaryDirectory { folder in
            try await Self.run(mode: .junk, sieve: false, in: folder) { codes, store in
                #expect(codes == [250, 250, 250])
                let forged = try await Self.outcome("forged@evil.test", in: store)
                #expect(forged.mailboxes == ["Junk"])
                #expect(Self.results(in: forged.raw).first?.contains("dmarc=fail") == true)
                let soft = try await Self.outcome("soft@soft.test", in: store)
                #expect(soft.mailboxes == ["INBOX"])
            }
        }
    }

    @Test func checksOffByDefaultAddNoField() async throws {
        try await withTemporaryDirectory { folder in
            try await Self.run(mode: nil, in: folder) { codes, store in
                #expect(codes == [250, 250, 250])
                let signed = try await Self.outcome("signed@good.test", in: store)
                #expect(Self.results(in: signed.raw).isEmpty)
                // The sender's own field stays as it came, and no query believes it.
                let forged = try await Self.outcome("forged@evil.test", in: store)
                #expect(Self.results(in: forged.raw).count == 1)
                #expect(try await Self.found("auth:dmarc=pass", in: store).isEmpty)
            }
        }
    }
}
