import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// End to end over sockets: Python's smtplib, a client independent of our code,
/// against the real server in this process.
@Suite struct EndToEndTests {
    /// One smtplib session per run; prints one JSON object. Modes: plain, starttls, submissions,
    /// utf8, bdat, relay, unknown, badauth, sender.
    static let client = #"""
import json, smtplib, ssl, sys, time
mode, host, port, cafile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sender, recipient = sys.argv[5], sys.argv[6]
data = open(sys.argv[7], 'rb').read() if len(sys.argv) > 7 else b''
user, password = 'alice@localhost', 'correct horse'
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False  # the certificate names mx.tresor.test; we connect to 127.0.0.1
out = {}
if mode == 'submissions':
    s = smtplib.SMTP_SSL(host, port, context=ctx, local_hostname='client.test')
else:
    s = smtplib.SMTP(host, port, local_hostname='client.test')
s.ehlo()
out['ehlo'] = s.esmtp_features
if mode == 'plain':
    out['refused'] = s.sendmail(sender, [recipient], data)
elif mode in ('starttls', 'submissions', 'sender'):
    if mode != 'submissions':
        code, _ = s.docmd('MAIL', 'FROM:<%s>' % sender)
        out['mail_before_auth'] = code
        s.rset()
        s.starttls(context=ctx)
        s.ehlo()
    s.login(user, password)
    if mode == 'sender':
        code, msg = s.mail(sender)
        out['mail'] = [code, msg.decode()]
    else:
        out['refused'] = s.sendmail(sender, [recipient], data)
elif mode == 'utf8':
    out['refused'] = s.sendmail(sender, [recipient], data, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
elif mode == 'bdat':
    s.mail(sender)
    s.rcpt(recipient)
    half = len(data) // 2
    s.send(b'BDAT %d\r\n' % half + data[:half])
    first = s.getreply()
    s.send(b'BDAT %d LAST\r\n' % (len(data) - half) + data[half:])
    last = s.getreply()
    out['bdat'] = [first[0], last[0], last[1].decode()]
elif mode in ('relay', 'unknown'):
    s.mail(sender)
    code, msg = s.rcpt(recipient)
    out['rcpt'] = [code, msg.decode()]
elif mode == 'badauth':
    s.starttls(context=ctx)
    s.ehlo()
    start = time.monotonic()
    try:
        s.login(user, 'wrong password')
        out['auth'] = [235, 0]
    except smtplib.SMTPAuthenticationError as e:
        out['auth'] = [e.smtp_code, time.monotonic() - start]
s.quit()
print(json.dumps(out))
"""#

    struct Result: Decodable {
        var refused: [String: [String]]?
        var mail_before_auth: Int?
        var mail: [String]?
        var bdat: [String]?
        var rcpt: [String]?
        var auth: [Double]?
        var ehlo: [String: String]?

        enum CodingKeys: String, CodingKey { case refused, mail_before_auth, mail, bdat, rcpt, auth, ehlo }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            refused = try? c.decode([String: [String]].self, forKey: .refused)
            if c.contains(.refused) && refused == nil { refused = ["?": []] }
            mail_before_auth = try c.decodeIfPresent(Int.self, forKey: .mail_before_auth)
            mail = try c.decodeIfPresent([Mixed].self, forKey: .mail)?.map(\.text)
            bdat = try c.decodeIfPresent([Mixed].self, forKey: .bdat)?.map(\.text)
            rcpt = try c.decodeIfPresent([Mixed].self, forKey: .rcpt)?.map(\.text)
            auth = try c.decodeIfPresent([Double].self, forKey: .auth)
            ehlo = try c.decodeIfPresent([String: String].self, forKey: .ehlo)
        }
    }

    /// A JSON number or string, as text.
    struct Mixed: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let int = try? c.decode(Int.self) { text = String(int) } else { text = try c.decode(String.self) }
        }
    }

    static func send(_ mode: String, _ harness: ServerHarness, port: Int, from: String = "sender@remote.test",
                     to: String = "alice@localhost", message: [UInt8]? = nil) async throws -> Result {
        var arguments = [mode, "127.0.0.1", String(port), harness.certificate.path, from, to]
        var file: URL?
        if let message {
            let url = harness.dataDirectory.deletingLastPathComponent()
                .appendingPathComponent("message-\(UUID().uuidString).eml")
            try Data(message).write(to: url)
            arguments.append(url.path)
            file = url
        }
        defer { if let file { try? FileManager.default.removeItem(at: file) } }
        let output = try await ChildProcess.python(client, arguments)
        return try JSONDecoder().decode(Result.self, from: Data(output.utf8))
    }

    static func message(id: String, subject: String, from: String = "Sender <sender@remote.test>",
                        body: String = "Hello.\r\n.A line that starts with a dot.\r\n") -> [UInt8] {
        Array("""
            From: \(from)\r
            To: Alice <alice@localhost>\r
            Subject: \(subject)\r
            Date: Tue, 2 Jan 2024 10:00:00 +0000\r
            Message-ID: <\(id)>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \(body)
            """.utf8)
    }

    static let users = [("alice@localhost", "correct horse"), ("bob@localhost", "battery staple")]

    @Test func deliversPlainStartTLSImplicitTLSUTF8AndBDATIntoArchiveCatalogAndInbox() async throws {
        let plain = Self.message(id: "plain@e2e.test", subject: "plain delivery")
        let starttls = Self.message(id: "starttls@e2e.test", subject: "submitted over starttls",
                                    from: "Alice <alice@localhost>")
        let implicit = Self.message(id: "implicit@e2e.test", subject: "submitted over implicit tls",
                                    from: "Alice <alice@localhost>")
        let utf8 = Self.message(id: "utf8@e2e.test", subject: "Grüße aus Köln",
                                from: "Jörg <jörg@bücher.test>", body: "Schöne Grüße, 東京\r\n")
        let bdat = Self.message(id: "bdat@e2e.test", subject: "chunked with bdat",
                                body: String(repeating: "chunk body line\r\n", count: 200))
        try await ServerHarness.with(users: Self.users) { harness in
            let r1 = try await Self.send("plain", harness, port: harness.smtp, message: plain)
            #expect(r1.refused?.isEmpty == true)
            #expect(r1.ehlo?["pipelining"] != nil && r1.ehlo?["smtputf8"] != nil && r1.ehlo?["chunking"] != nil)

            let r2 = try await Self.send("starttls", harness, port: harness.submission, from: "alice@localhost",
                                         to: "bob@localhost", message: starttls)
            #expect(r2.mail_before_auth == 530)
            #expect(r2.refused?.isEmpty == true)

            let r3 = try await Self.send("submissions", harness, port: harness.submissions, from: "alice@localhost",
                                         to: "bob@localhost", message: implicit)
            #expect(r3.refused?.isEmpty == true)

            let r4 = try await Self.send("utf8", harness, port: harness.smtp, from: "jörg@bücher.test", message: utf8)
            #expect(r4.refused?.isEmpty == true)

            let r5 = try await Self.send("bdat", harness, port: harness.smtp, message: bdat)
            #expect(r5.bdat?.prefix(2) == ["250", "250"], "\(r5.bdat ?? [])")
        } after: { store in
            for (original, id, user, direction) in [
                (plain, "plain@e2e.test", "alice@localhost", "inbound"),
                (starttls, "starttls@e2e.test", "bob@localhost", "internal"),
                (implicit, "implicit@e2e.test", "bob@localhost", "internal"),
                (utf8, "utf8@e2e.test", "alice@localhost", "inbound"),
                (bdat, "bdat@e2e.test", "alice@localhost", "inbound"),
            ] {
                let stored = try await Stored.find(messageID: id, user: user, in: store)
                stored.expectTraceHeadersThenOriginal(original)
                #expect(stored.inbox.count == 1, "\(id) in \(user)'s INBOX")
                #expect(stored.hit.direction.rawValue == direction, "\(id)")
            }
            // Free text search reaches the new mail too (catalog FTS, not only the Message-ID).
            let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "subject:grüße"))
            #expect(hits.count == 1)
            // The dot-stuffed line arrived unstuffed (RFC 5321 §4.5.2): the bytes compare above.
        }
    }

    @Test func refusesRelayUnknownUsersForeignSendersAndSlowsWrongPasswords() async throws {
        try await ServerHarness.with(users: Self.users) { harness in
            let relay = try await Self.send("relay", harness, port: harness.smtp, to: "someone@elsewhere.test")
            #expect(relay.rcpt?.first == "554")
            #expect(relay.rcpt?.last?.hasPrefix("5.7.1") == true, "\(relay.rcpt ?? [])")

            let unknown = try await Self.send("unknown", harness, port: harness.smtp, to: "nobody@localhost")
            #expect(unknown.rcpt?.first == "550")
            #expect(unknown.rcpt?.last?.hasPrefix("5.1.1") == true, "\(unknown.rcpt ?? [])")

            let foreign = try await Self.send("sender", harness, port: harness.submission, from: "bob@localhost")
            #expect(foreign.mail?.first == "553")
            #expect(foreign.mail?.last?.hasPrefix("5.7.1") == true, "\(foreign.mail ?? [])")

            let bad = try await Self.send("badauth", harness, port: harness.submission)
            #expect(bad.auth?.first == 535)
            #expect((bad.auth?.last ?? 0) >= 0.5, "a wrong password was answered after \(bad.auth?.last ?? 0) s")
        } after: { store in
            let inbox = try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost")
            #expect(inbox.isEmpty)
        }
    }
}
