import Foundation
import Testing
import TestSupport

/// A message of thousands of nested message/rfc822 parts, sent by anyone to the MX port, must
/// not take the server down when its recipient's client asks for its structure: the real
/// `tresor serve` answers FETCH BODYSTRUCTURE, deep BODY sections, ENVELOPE and BINARY, POP3
/// RETR, and the CLI shows, searches and exports it, while the process stays up.
@Suite struct DeepNestingEndToEndTests {
    /// Sends each depth's message over SMTP, then reads them back over IMAP and POP3 (STARTTLS,
    /// certificate not checked). Prints one JSON object of what each command answered.
    static let client = #"""
import imaplib, json, poplib, smtplib, ssl, sys
smtp_port, imap_port, pop3_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
depths = [int(d) for d in sys.argv[4].split(',')]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
out = {'sent': [], 'imap': {}, 'pop3': {}}
for depth in depths:
    message = ('From: <attacker@remote.test>\r\nTo: <alice@localhost>\r\nSubject: deep %d\r\n'
               'Message-ID: <deep%d@remote.test>\r\nMIME-Version: 1.0\r\n' % (depth, depth)
               + 'Content-Type: message/rfc822\r\n\r\n' * depth
               + 'Subject: innermost\r\n\r\nleafword%d\r\n' % depth).encode()
    s = smtplib.SMTP('127.0.0.1', smtp_port, local_hostname='client.test', timeout=120)
    s.sendmail('attacker@remote.test', ['alice@localhost'], message)
    s.quit()
    out['sent'].append(depth)
m = imaplib.IMAP4('127.0.0.1', imap_port, timeout=120)
m.starttls(ssl_context=ctx)
m.login('alice@localhost', 'secret')
m.select('INBOX')
def answer(typ, data):
    size = 0
    for item in data:
        if isinstance(item, tuple): size += len(item[0]) + len(item[1])
        elif item is not None: size += len(item)
    return [typ, size]
deep_section = '.'.join(['1'] * 40)
commands = {
    'bodystructure': '(BODYSTRUCTURE)',
    'body': '(BODY)',
    'envelope': '(ENVELOPE)',
    'deep_section': '(BODY.PEEK[%s])' % deep_section,
    'deep_header': '(BODY.PEEK[%s.HEADER])' % deep_section,
    'binary': '(BINARY.PEEK[1])',
    'binary_size': '(BINARY.SIZE[1])',
    'full': '(BODY.PEEK[])',
}
for name, items in commands.items():
    try:
        out['imap'][name] = answer(*m.fetch('1:*', items))
    except Exception as e:
        out['imap'][name] = ['EXC', str(e)]
out['imap']['noop'] = m.noop()[0]
m.logout()
p = poplib.POP3('127.0.0.1', pop3_port, timeout=120)
p.stls(context=ctx)
p.user('alice@localhost'); p.pass_('secret')
count = p.stat()[0]
out['pop3']['count'] = count
out['pop3']['retr'] = [len(b'\r\n'.join(p.retr(i + 1)[1])) for i in range(count)]
p.quit()
print(json.dumps(out))
"""#

    struct Outcome: Decodable {
        var sent: [Int]
        var imap: [String: IMAPAnswer]
        var pop3: POP3Answer
        struct POP3Answer: Decodable { var count: Int; var retr: [Int] }
    }

    /// `[type, bytes]` for a FETCH, or a bare type for NOOP.
    enum IMAPAnswer: Decodable, Equatable {
        case answer(String, Int)
        case exception(String)
        case status(String)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let status = try? container.decode(String.self) {
                self = .status(status)
                return
            }
            var list = try decoder.unkeyedContainer()
            let type = try list.decode(String.self)
            if let size = try? list.decode(Int.self) { self = .answer(type, size) } else {
                self = .exception(try list.decode(String.self))
            }
        }
    }

    @Test func tenThousandAndHundredThousandLevelsDeepKeepTheServerUp() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: [("alice@localhost", "secret")])
            let config = folder.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.deep.test").utf8).write(to: config)
            let server = try await ServeProcess.start(config: config, logLevel: "warning")
            defer { server.killIfRunning() }

            let output = try await ChildProcess.python(Self.client, [
                String(server.ports["smtp"]!), String(server.ports["imap"]!), String(server.ports["pop3"]!),
                "10000,100000",
            ])
            let outcome = try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
            #expect(outcome.sent == [10_000, 100_000])
            for name in ["bodystructure", "body", "envelope", "deep_section", "deep_header", "binary", "binary_size", "full"] {
                guard case .answer(let type, let size)? = outcome.imap[name] else {
                    Issue.record("FETCH \(name): \(String(describing: outcome.imap[name]))")
                    continue
                }
                #expect(type == "OK" && size > 0, "FETCH \(name): \(type), \(size) bytes")
            }
            #expect(outcome.imap["noop"] == .status("OK"))
            #expect(outcome.pop3.count == 2)
            #expect(outcome.pop3.retr.count == 2 && outcome.pop3.retr.allSatisfy { $0 > 320_000 })
            #expect(server.process.isRunning, "tresor serve is still running")

            // The CLI beside the running server: search finds both, show and export read them.
            let found = try CommandRunner.run("tresor", ["search", "--data-dir", data.path, "subject:deep", "--json"])
            #expect(found.status == 0, "search: \(found.stderr)")
            let hits = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(hits.count == 2)
            for id in hits.compactMap({ $0["id"] as? String }) {
                let shown = try CommandRunner.run("tresor", ["show", "--data-dir", data.path, id, "--text"])
                #expect(shown.status == 0, "show --text: \(shown.stderr)")
            }
            let exportFolder = folder.appendingPathComponent("export")
            let exported = try CommandRunner.run("tresor", [
                "export", "--data-dir", data.path, "--query", "subject:deep", "--format", "eml", "--out", exportFolder.path,
            ])
            #expect(exported.status == 0, "export: \(exported.stderr)")
            let verified = try CommandRunner.run("tresor", ["verify-export", exportFolder.path, "--data-dir", data.path])
            #expect(verified.status == 0, "verify-export: \(verified.stdout) \(verified.stderr)")
            #expect(server.process.isRunning, "tresor serve is still running")
        }
    }
}
