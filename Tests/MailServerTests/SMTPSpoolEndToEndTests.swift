import Foundation
import Logging
@testable import MailStore
import ServerKit
import Testing
import TestSupport
@testable import MailServer

/// Bounded memory for SMTP content: a large message sent slowly goes to `DATA/spool/smtp` and is
/// archived byte for byte; the cap on the bytes in flight answers 452 4.3.1 and gives the bytes
/// back at the end of DATA, at RSET and when a client vanishes in the middle of its content.
@Suite struct SMTPSpoolEndToEndTests {
    /// Writes a 40 MB message (a base64 attachment, so full-text indexing stays small) to argv[2],
    /// then sends it over DATA in 1 MiB pieces with a pause after each, and prints the final reply.
    static let slowSender = #"""
import base64, random, smtplib, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(40)
payload = base64.encodebytes(rng.randbytes(29_500_000)).replace(b'\n', b'\r\n')
message = (b'From: sender@remote.test\r\nTo: alice@localhost\r\nSubject: forty megabytes\r\n'
           b'Message-ID: <spool40@e2e.test>\r\nMIME-Version: 1.0\r\n'
           b'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' + payload)
assert len(message) > 40_000_000 and not any(l.startswith(b'.') for l in message.split(b'\r\n'))
open(path, 'wb').write(message)
s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', timeout=180)
s.ehlo()
assert s.mail('sender@remote.test', ['SIZE=%d' % len(message)])[0] == 250
assert s.rcpt('alice@localhost')[0] == 250
assert s.docmd('DATA')[0] == 354
step = 1 << 20
for start in range(0, len(message), step):
    s.sock.sendall(message[start:start + step])
    time.sleep(0.02)
s.sock.sendall(b'.\r\n')
code, text = s.getreply()
print(code, text.decode())
s.quit()
"""#

    @Test func aFortyMegabyteMessageSentSlowlyIsSpooledAndArchivedByteForByte() async throws {
        let log = LogEventsEndToEndTests.CapturedLog()
        let logger = Logger(label: "tresor.test") { label in
            LineLogHandler(label: label, format: .json, level: .info, write: { log.append($0) })
        }
        try await ServerHarness.with(users: EndToEndTests.users, logger: logger) { server in
            let path = server.dataDirectory.deletingLastPathComponent().appendingPathComponent("sent.eml").path
            let reply = try await ChildProcess.python(Self.slowSender, [String(server.smtp), path])
            #expect(reply.hasPrefix("250 "), "\(reply)")
            let received = log.find("message received", ["result": "accepted"])
            #expect(received.count == 1, "\(received)")
            #expect(received.first?["spooled"] == "true", "\(received)")
            let spool = server.dataDirectory.appendingPathComponent("spool/smtp").path
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
            let attributes = try FileManager.default.attributesOfItem(atPath: spool)
            #expect((attributes[.posixPermissions] as? Int) == 0o700)
        } after: { store in
            let sent = try [UInt8](Data(contentsOf: store.dataDirectory.deletingLastPathComponent()
                .appendingPathComponent("sent.eml")))
            let stored = try await Stored.find(messageID: "spool40@e2e.test", user: "alice@localhost", in: store)
            stored.expectTraceHeadersThenOriginal(sent)
            #expect(stored.inbox.count == 1)
        }
    }

    /// Clients A–D against a cap of 1 MiB: SIZE= reserves at MAIL (B refused there), content
    /// without SIZE reserves as it arrives (B refused after the dot), A's delivery gives its bytes
    /// back (B then goes through), and C, gone in the middle of DATA, gives its bytes back too.
    static let capClients = #"""
import smtplib, socket, sys, time
port = int(sys.argv[1])
def connect():
    s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', timeout=180); s.ehlo(); return s
def body(n, tag):
    head = ('From: sender@remote.test\r\nTo: alice@localhost\r\nSubject: cap %s\r\nMessage-ID: <cap-%s@e2e.test>\r\n\r\n' % (tag, tag)).encode()
    line = b'x' * 78 + b'\r\n'
    return head + line * (n // len(line))
out = []
a, b = connect(), connect()
out.append(a.mail('a@remote.test', ['SIZE=900000'])[0])
out.append(a.rcpt('alice@localhost')[0])
code, text = b.mail('b@remote.test', ['SIZE=500000'])
out.append('%d %s' % (code, text.decode().split()[0]))
b.rset()
out.append(b.mail('b@remote.test')[0])
out.append(b.rcpt('alice@localhost')[0])
code, text = b.data(body(300_000, 'b1'))
out.append('%d %s' % (code, text.decode().split()[0]))
out.append(a.data(body(800_000, 'a'))[0])
out.append(b.mail('b@remote.test', ['SIZE=500000'])[0])
out.append(b.rcpt('alice@localhost')[0])
out.append(b.data(body(400_000, 'b2'))[0])
c = connect()
out.append(c.mail('c@remote.test', ['SIZE=900000'])[0])
out.append(c.rcpt('alice@localhost')[0])
out.append(c.docmd('DATA')[0])
c.sock.sendall(b'Subject: never finished\r\n\r\n' + b'y' * 100_000)
code, _ = b.mail('b@remote.test', ['SIZE=900000'])
out.append(code)
c.sock.shutdown(socket.SHUT_RDWR); c.close()
for attempt in range(600):
    code, _ = b.mail('b@remote.test', ['SIZE=900000'])
    if code == 250: break
    time.sleep(0.05)
out.append(code)
b.quit(); a.quit()
print(' '.join(str(x) for x in out))
"""#

    @Test func theInFlightCapAnswers452AndRecoversOnceBytesAreReleased() async throws {
        var configuration = ServerHarness.configuration()
        configuration.limits.inFlightSize = 1 << 20
        try await ServerHarness.with(users: EndToEndTests.users, configuration: configuration) { server in
            let output = try await ChildProcess.python(Self.capClients, [String(server.smtp)])
            let results = output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(results == "250 250 452 4.3.1 250 250 452 4.3.1 250 250 250 250 250 250 354 452 250", "\(results)")
        } after: { store in
            for tag in ["a", "b2"] {
                let stored = try await Stored.find(messageID: "cap-\(tag)@e2e.test", user: "alice@localhost", in: store)
                #expect(stored.inbox.count == 1)
            }
            let refused = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:cap-b1@e2e.test"))
            #expect(refused.isEmpty)
        }
    }

    /// What a previous run left in the spool (it stopped in the middle of a message) is removed
    /// at start, and the folder is private to the server's user.
    @Test func leftoversInTheSpoolAreRemovedAtStart() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: [])
            let spool = data.appendingPathComponent("spool/smtp")
            try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
            try Data("half a message".utf8).write(to: spool.appendingPathComponent("smtp-message-1.tmp"))
            let server = MailServer(configuration: ServerHarness.configuration(), dataDirectory: data,
                                    logger: Logger(label: "tresor.test"), handleSignals: false)
            let emptied = try server.emptySMTPSpool()
            #expect(try FileManager.default.contentsOfDirectory(atPath: emptied.path) == [])
        }
    }
}
