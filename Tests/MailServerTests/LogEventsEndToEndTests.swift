import Delivery
import Foundation
import Logging
import ServerKit
import Synchronization
import Testing
import TestSupport
@testable import MailServer

/// The log an administrator reads: a server in this process logs through `LineLogHandler` in JSON,
/// Python's smtplib, imaplib and poplib (and a raw ManageSieve socket) play the clients, a Python
/// SMTP sink plays a remote server; every event is found again by parsing the lines back.
@Suite struct LogEventsEndToEndTests {
    /// Every line the handler wrote.
    final class CapturedLog: Sendable {
        private let lines = Mutex<[String]>([])

        func append(_ line: String) { lines.withLock { $0.append(line) } }

        /// The lines as JSON objects; a line that is not one is recorded as an issue.
        var events: [[String: Any]] {
            lines.withLock { $0 }.compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    Issue.record("not a JSON object: \(line)")
                    return nil
                }
                return object
            }
        }

        /// The metadata of the events with `message` whose metadata has every pair of `matching`.
        func find(_ message: String, _ matching: [String: String] = [:]) -> [[String: String]] {
            events.filter { $0["message"] as? String == message }.compactMap { $0["metadata"] as? [String: String] }
                .filter { metadata in matching.allSatisfy { metadata[$0.key] == $0.value } }
        }
    }

    /// A remote SMTP server: 550 5.1.1 to RCPT of refuse@…, 250 to everything else; prints its port.
    static let sink = #"""
import socket, threading
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(8)
print(srv.getsockname()[1], flush=True)
def serve(c):
    f = c.makefile('rb')
    say = lambda t: c.sendall(t.encode() + b'\r\n')
    say('220 sink.test ESMTP')
    while True:
        line = f.readline()
        if not line: break
        cmd = line.decode('latin-1').strip(); up = cmd.upper()
        if up.startswith(('EHLO', 'HELO')): say('250 sink.test')
        elif up.startswith('MAIL'): say('250 2.1.0 ok')
        elif up.startswith('RCPT'): say('550 5.1.1 no such user here' if 'refuse@' in cmd.lower() else '250 2.1.5 ok')
        elif up == 'DATA':
            say('354 go on')
            while True:
                l = f.readline()
                if not l or l.rstrip(b'\r\n') == b'.': break
            say('250 2.0.0 queued as S1')
        elif up == 'QUIT': say('221 2.0.0 bye'); break
        else: say('250 2.0.0 ok')
    c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""#

    /// The clients: refusals on MX and submission, a message in, a message out, failed logins on
    /// every protocol.
    static let clients = #"""
import base64, imaplib, poplib, smtplib, socket, sys
smtp, submission, imap, pop3, sieve = (int(p) for p in sys.argv[1:6])
message = b'From: alice@localhost\r\nTo: bob\r\nSubject: log test\r\n\r\nHello.\r\n'
s = smtplib.SMTP('127.0.0.1', smtp, local_hostname='client.test')
s.ehlo()
s.mail('sender@remote.test')
assert s.rcpt('alice@localhost')[0] == 250
assert s.rcpt('nobody@localhost')[0] == 550
assert s.rcpt('someone@elsewhere.test')[0] == 554
assert s.data(message)[0] == 250
s.rset()
assert s.docmd('MAIL', 'FROM:<big@remote.test> SIZE=999999999')[0] == 552
s.quit()
s = smtplib.SMTP('127.0.0.1', submission, local_hostname='client.test')
s.ehlo()
try:
    s.login('alice@localhost', 'wrong password'); raise SystemExit('login passed')
except smtplib.SMTPAuthenticationError:
    pass
s.login('alice@localhost', 'correct horse')
assert s.mail('mallory@localhost')[0] == 553
s.rset()
refused = s.sendmail('alice@localhost', ['ok@sink.test', 'refuse@sink.test', 'later@down.test'], message)
assert refused == {}, refused
s.quit()
i = imaplib.IMAP4('127.0.0.1', imap)
try:
    i.login('alice@localhost', 'wrong password'); raise SystemExit('imap login passed')
except imaplib.IMAP4.error:
    pass
i.logout()
p = poplib.POP3('127.0.0.1', pop3)
p.user('alice@localhost')
try:
    p.pass_('wrong password'); raise SystemExit('pop3 login passed')
except poplib.error_proto:
    pass
p.quit()
m = socket.create_connection(('127.0.0.1', sieve)).makefile('rwb')
while not m.readline().startswith(b'OK'): pass
token = base64.b64encode(b'\0alice@localhost\0wrong password').decode()
m.write(('AUTHENTICATE "PLAIN" "%s"\r\n' % token).encode()); m.flush()
assert m.readline().startswith(b'NO')
print('done')
"""#

    @Test func everyEventHasItsLineInJSON() async throws {
        let log = CapturedLog()
        let logger = Logger(label: "tresor.test") { label in
            LineLogHandler(label: label, format: .json, level: .info, write: { log.append($0) })
        }
        let sink = SpawnedProcess()
        sink.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sink.arguments = ["python3", "-c", Self.sink]
        let out = Pipe()
        sink.standardOutput = out
        try sink.run()
        defer { if sink.isRunning { kill(sink.processIdentifier, SIGKILL) } }
        var sinkPort: Int?
        for await line in ChildProcess.lines(of: out.fileHandleForReading) {
            sinkPort = Int(line)
            break
        }
        let port = try #require(sinkPort)

        var configuration = ServerHarness.configuration()
        configuration.auth.failureDelay = .zero
        configuration.delivery.routes = [
            "sink.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1", port: port)),
            // Nothing listens on port 1: the attempt is deferred.
            "down.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1", port: 1)),
        ]
        try await ServerHarness.with(users: [("alice@localhost", "correct horse")], configuration: configuration,
                                     logger: logger) { harness in
            let output = try await ChildProcess.python(Self.clients, [
                String(harness.smtp), String(harness.submission), String(harness.imap), String(harness.pop3),
                String(harness.manageSieve),
            ])
            #expect(output.contains("done"))
            // Outbound runs on its own: wait for the three attempts and the DSN.
            for _ in 0..<300 {
                if log.find("dsn sent").count == 1 && log.find("outbound attempt").count >= 3 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        let recovery = try #require(log.find("recovery done").first)
        #expect(recovery["examined"] != nil && recovery["report"] == nil, "\(recovery)")

        let received = log.find("message received", ["from": "sender@remote.test", "to": "alice@localhost"])
        #expect(received.count == 1, "\(log.find("message received"))")
        if let line = received.first {
            #expect(line["result"] == "accepted")
            #expect(line["reply"]?.hasPrefix("250 2.0.0") == true)
            #expect(Int(line["size"] ?? "") ?? 0 > 0)
            #expect(line["id"]?.isEmpty == false)
            #expect(line["client"] == "127.0.0.1")
        }

        let unknown = log.find("refused", ["reason": "unknown user", "stage": "rcpt", "to": "nobody@localhost"])
        #expect(unknown.first?["reply"]?.hasPrefix("550 5.1.1") == true, "\(log.find("refused"))")
        #expect(unknown.first?["from"] == "sender@remote.test")
        let relay = log.find("refused", ["reason": "relay denied", "to": "someone@elsewhere.test"])
        #expect(relay.first?["reply"]?.hasPrefix("554 5.7.1") == true, "\(log.find("refused"))")
        let size = log.find("refused", ["reason": "message too big", "stage": "mail", "from": "big@remote.test"])
        #expect(size.first?["reply"]?.hasPrefix("552") == true, "\(log.find("refused"))")
        let sender = log.find("refused", ["reason": "sender not permitted", "from": "mallory@localhost"])
        #expect(sender.first?["reply"]?.hasPrefix("553 5.7.1") == true, "\(log.find("refused"))")
        #expect(sender.first?["user"] == "alice@localhost")

        for protocolName in ["smtp", "imap", "pop3", "managesieve"] {
            let failed = log.find("authentication failed", ["protocol": protocolName, "user": "alice@localhost",
                                                            "client": "127.0.0.1"])
            // smtplib tries each mechanism the server offers, so SMTP may log one line per mechanism.
            #expect(!failed.isEmpty, "\(protocolName): \(log.find("authentication failed"))")
        }

        let delivered = log.find("outbound attempt", ["to": "ok@sink.test", "status": "delivered"])
        #expect(delivered.first?["relay"] == "127.0.0.1", "\(log.find("outbound attempt"))")
        #expect(delivered.first?["reply"]?.contains("250") == true)
        let failed = log.find("outbound attempt", ["to": "refuse@sink.test", "status": "failed"])
        #expect(failed.first?["code"] == "5.1.1", "\(log.find("outbound attempt"))")
        #expect(failed.first?["dsn"] == "owed")
        #expect(failed.first?["reply"]?.contains("no such user here") == true)
        let deferred = log.find("outbound attempt", ["to": "later@down.test", "status": "deferred"])
        #expect(deferred.first?["next_attempt"] != nil, "\(log.find("outbound attempt"))")
        let dsn = log.find("dsn sent", ["to": "alice@localhost"])
        #expect(dsn.first?["failed"] == "refuse@sink.test", "\(log.find("dsn sent"))")
    }
}
