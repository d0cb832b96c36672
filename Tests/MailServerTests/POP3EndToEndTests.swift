import Foundation
import Logging
import MailStore
import Testing
import TestSupport
@testable import MailServer

/// POP3 end to end: Python's poplib, a client independent of our code, against the real
/// server in this process, with mail delivered over SMTP first.
@Suite struct POP3EndToEndTests {
    /// Runs the steps given as JSON on one or two poplib sessions; prints one JSON list of
    /// results. Message bytes come back base64-encoded as poplib reassembles them (lines joined
    /// with CRLF, dot-stuffing removed).
    static let client = #"""
import base64, json, poplib, socket, ssl, sys, time
host, cafile, steps = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False
sessions, logins, ports, out = {}, {}, {}, []
def text(b): return b.decode('utf-8', 'replace')
def joined(lines): return base64.b64encode(b''.join(l + b'\r\n' for l in lines)).decode()
for step in steps:
    name, op, args = step[0], step[1], step[2:]
    p = sessions.get(name)
    try:
        if op == 'connect':
            port, how = int(args[0]), args[1]
            p = poplib.POP3_SSL(host, port, context=ctx) if how == 'ssl' else poplib.POP3(host, port)
            sessions[name] = p
            ports[name] = port
            out.append(text(p.getwelcome()))
        elif op == 'stls': out.append(text(p.stls(context=ctx)))
        elif op == 'capa': out.append(sorted(p.capa().keys()))
        elif op == 'login':
            start = time.monotonic()
            # 'wait-unlocked': the server may not have seen a dropped session's close yet (a busy
            # machine); log in again on a new connection while the maildrop is [IN-USE], up to 60 s.
            while True:
                try:
                    p.user(args[0]); out.append(text(p.pass_(args[1])))
                    logins[name] = (args[0], args[1])
                except poplib.error_proto as e:
                    if args[2:] == ['wait-unlocked'] and b'[IN-USE]' in e.args[0] and time.monotonic() - start < 60:
                        time.sleep(0.2)
                        p = poplib.POP3(host, ports[name]); sessions[name] = p
                        continue
                    out.append('%s after %.2f' % (text(e.args[0]), time.monotonic() - start))
                break
        elif op == 'authplain':
            token = base64.b64encode(b'\0' + args[0].encode() + b'\0' + args[1].encode()).decode()
            if args[2] == 'initial':
                out.append(text(p._shortcmd('AUTH PLAIN ' + token)))
            else:
                p._putcmd('AUTH PLAIN'); out.append(text(p._getline()[0])); out.append(text(p._shortcmd(token)))
        elif op == 'stat': out.append(list(p.stat()))
        elif op == 'list': out.append([text(l) for l in p.list()[1]])
        elif op == 'uidl': out.append([text(l) for l in p.uidl()[1]])
        elif op == 'retr':
            resp, lines, octets = p.retr(int(args[0])); out.append([text(resp), joined(lines)])
        elif op == 'top':
            resp, lines, octets = p.top(int(args[0]), int(args[1])); out.append(joined(lines))
        elif op == 'dele': out.append(text(p.dele(int(args[0]))))
        elif op == 'rset': out.append(text(p.rset()))
        elif op == 'apop': out.append(text(p._shortcmd('APOP alice 0123456789abcdef0123456789abcdef')))
        elif op == 'quit': out.append(text(p.quit()))
        elif op == 'drop':
            p.sock.shutdown(socket.SHUT_RDWR); p.sock.close(); p.file.close()
            # The server sees the drop in its own time: wait (up to a minute) until the maildrop's
            # lock is free, probing with a session that logs in and quits without changes.
            user, password = logins[name]
            deadline = time.monotonic() + 60
            while True:
                probe = poplib.POP3(host, ports[name])
                try:
                    probe.user(user); probe.pass_(password); probe.quit()
                    break
                except poplib.error_proto as e:
                    probe.close()
                    if b'[IN-USE]' not in e.args[0] or time.monotonic() > deadline: raise
                    time.sleep(0.1)
            out.append('dropped')
    except poplib.error_proto as e:
        out.append(text(e.args[0]))
print(json.dumps(out))
"""#

    enum Value: Decodable, Equatable {
        case text(String)
        case list([Value])
        case number(Int)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .text(s) }
            else { self = .list(try c.decode([Value].self)) }
        }
        var string: String { if case .text(let s) = self { s } else { "" } }
        var strings: [String] { if case .list(let l) = self { l.map(\.string) } else { [] } }
        var numbers: [Int] { if case .list(let l) = self { l.compactMap { if case .number(let n) = $0 { n } else { nil } } } else { [] } }
        var bytes: [UInt8] { [UInt8](Data(base64Encoded: string) ?? Data()) }
        subscript(_ index: Int) -> Value { if case .list(let l) = self, index < l.count { l[index] } else { .text("") } }
    }

    static func pop(_ certificate: URL, _ steps: [[String]]) async throws -> [Value] {
        let json = String(decoding: try JSONEncoder().encode(steps), as: UTF8.self)
        let output = try await ChildProcess.python(client, ["127.0.0.1", certificate.path, json])
        return try JSONDecoder().decode([Value].self, from: Data(output.utf8))
    }

    /// The retrieved bytes are the sent bytes with only `Return-Path:` and `Received:` in front.
    static func expectOriginalAfterTrace(_ retrieved: [UInt8], _ original: [UInt8],
                                         sourceLocation: SourceLocation = #_sourceLocation) {
        guard retrieved.count > original.count, Array(retrieved.suffix(original.count)) == original else {
            Issue.record("retrieved message does not end with the sent bytes: \(String(decoding: retrieved, as: UTF8.self))",
                         sourceLocation: sourceLocation)
            return
        }
        let prefix = String(decoding: retrieved.prefix(retrieved.count - original.count), as: UTF8.self)
        for line in prefix.components(separatedBy: "\r\n").dropLast() {
            let ok = line.hasPrefix("Return-Path: ") || line.hasPrefix("Received: ") || line.hasPrefix(" ")
                || line.hasPrefix("\t")
            #expect(ok, "unexpected added line: \(line)", sourceLocation: sourceLocation)
        }
    }

    static func messages() -> [[UInt8]] {
        [
            EndToEndTests.message(id: "pop-1@e2e.test", subject: "first"),
            EndToEndTests.message(id: "pop-2@e2e.test", subject: "second",
                                  body: ".starts with a dot\r\n..two dots\r\n.\r\nend\r\n"),
            EndToEndTests.message(id: "pop-3@e2e.test", subject: "third",
                                  body: (1...20).map { "body line \($0)\r\n" }.joined()),
        ]
    }

    /// A started `MailServer` over an existing data directory; `stop()` shuts it down.
    struct Running {
        let server: MailServer
        let task: Task<Void, any Error>
        let ports: BoundPorts

        static func start(_ data: URL) async throws -> Running {
            let server = MailServer(configuration: ServerHarness.configuration(), dataDirectory: data,
                                    logger: Logger(label: "tresor.test"), handleSignals: false)
            let (bound, continuation) = AsyncStream<BoundPorts>.makeStream()
            let task = Task { try await server.run(onReady: { continuation.yield($0); continuation.finish() }) }
            var ports: BoundPorts?
            for await value in bound { ports = value }
            guard let ports else {
                try await task.value
                throw CancellationError()
            }
            return Running(server: server, task: task, ports: ports)
        }

        func stop() async throws {
            await server.shutdown()
            try await task.value
        }
    }

    @Test func listRetrieveTopUIDLDeleteLockSTLSAndRestart() async throws {
        let sent = Self.messages()
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: EndToEndTests.users)
            let certificate = TLSMaterial.certificateURL(in: data)
            var server = try await Running.start(data)
            let pop3 = String(server.ports["pop3"]!)
            let harness = ServerHarness(dataDirectory: data, ports: server.ports, server: server.server)
            for message in sent {
                let result = try await EndToEndTests.send("plain", harness, port: harness.smtp, message: message)
                #expect(result.refused?.isEmpty == true)
            }

            // Session 1: CAPA, STAT, LIST, UIDL, RETR each, TOP, APOP refused, QUIT.
            let first = try await Self.pop(certificate, [
                ["a", "connect", pop3, "plain"], ["a", "capa"], ["a", "apop"], ["a", "login", "alice@localhost", "correct horse"],
                ["a", "stat"], ["a", "list"], ["a", "uidl"],
                ["a", "retr", "1"], ["a", "retr", "2"], ["a", "retr", "3"], ["a", "top", "3", "2"], ["a", "quit"],
            ])
            #expect(first[0].string.hasPrefix("+OK"))
            #expect(Set(first[1].strings).isSuperset(of: ["TOP", "UIDL", "USER", "SASL", "RESP-CODES", "PIPELINING", "STLS", "IMPLEMENTATION"]),
                    "\(first[1].strings)")
            #expect(first[2].string.hasPrefix("-ERR"), "APOP: \(first[2])")
            #expect(first[3].string.hasPrefix("+OK"))
            let sizes = first[4].numbers
            #expect(sizes.first == 3)
            let listed = first[5].strings
            #expect(listed.count == 3)
            let uids = first[6].strings
            #expect(uids.count == 3 && Set(uids.map { $0.split(separator: " ")[1] }).count == 3, "\(uids)")
            var total = 0
            for index in 0..<3 {
                let retrieved = first[7 + index][1].bytes
                Self.expectOriginalAfterTrace(retrieved, sent[index])
                // LIST and the RETR status line give the octets RETR sends (before dot-stuffing).
                #expect(listed[index] == "\(index + 1) \(retrieved.count)")
                #expect(first[7 + index][0].string == "+OK \(retrieved.count) octets")
                total += retrieved.count
            }
            #expect(sizes.last == total)
            let top = String(decoding: first[10].bytes, as: UTF8.self)
            #expect(top.hasSuffix("Subject: third\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\nMessage-ID: <pop-3@e2e.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nbody line 1\r\nbody line 2\r\n"), "\(top)")

            // A dropped connection deletes nothing; a second session meanwhile gets [IN-USE];
            // RSET unmarks; DELE + QUIT removes; a wrong password is slow and says [AUTH].
            let second = try await Self.pop(certificate, [
                ["b", "connect", pop3, "plain"], ["b", "login", "alice@localhost", "correct horse"],
                ["b", "dele", "1"], ["b", "dele", "2"], ["b", "drop"],
                ["c", "connect", pop3, "plain"], ["c", "login", "alice@localhost", "correct horse", "wait-unlocked"], ["c", "stat"],
                ["d", "connect", pop3, "plain"], ["d", "login", "alice@localhost", "correct horse"],
                ["d", "login", "alice@localhost", "wrong"],
                ["c", "dele", "1"], ["c", "rset"], ["c", "stat"], ["c", "dele", "2"], ["c", "quit"],
                ["d", "login", "alice@localhost", "correct horse"], ["d", "stat"], ["d", "uidl"], ["d", "quit"],
            ])
            #expect(second[4].string == "dropped")
            #expect(second[7].numbers.first == 3, "after a drop: \(second[7])")
            #expect(second[9].string.hasPrefix("-ERR [IN-USE]"), "\(second[9])")
            let wrong = second[10].string
            #expect(wrong.hasPrefix("-ERR [AUTH]"), "\(wrong)")
            #expect((Double(wrong.split(separator: " ").last ?? "") ?? 0) >= 0.5, "a wrong password answered fast: \(wrong)")
            #expect(second[13].numbers.first == 3, "after RSET: \(second[13])")
            #expect(second[15].string.hasPrefix("+OK"))
            #expect(second[16].string.hasPrefix("+OK"), "lock released after QUIT: \(second[16])")
            #expect(second[17].numbers.first == 2)
            let afterDelete = second[18].strings
            #expect(afterDelete.map { $0.split(separator: " ")[1] } == [uids[0], uids[2]].map { $0.split(separator: " ")[1] })

            // STLS then AUTH PLAIN (initial response and continuation), and implicit TLS.
            let pop3s = String(server.ports["pop3s"]!)
            let tls = try await Self.pop(certificate, [
                ["e", "connect", pop3, "plain"], ["e", "stls"], ["e", "capa"],
                ["e", "authplain", "alice@localhost", "correct horse", "initial"], ["e", "uidl"], ["e", "quit"],
                ["f", "connect", pop3s, "ssl"], ["f", "authplain", "alice@localhost", "correct horse", "continue"],
                ["f", "stat"], ["f", "quit"],
            ])
            #expect(tls[1].string.hasPrefix("+OK"))
            #expect(!tls[2].strings.contains("STLS"), "STLS offered after STLS")
            #expect(tls[3].string.hasPrefix("+OK"), "\(tls[3])")
            #expect(tls[4].strings == afterDelete)
            #expect(tls[7].string.hasPrefix("+"), "\(tls[7])")
            #expect(tls[8].string.hasPrefix("+OK"), "\(tls[8])")
            #expect(tls[9].numbers.first == 2)

            // UIDL survives a restart.
            try await server.stop()
            server = try await Running.start(data)
            let restarted = try await Self.pop(certificate, [
                ["g", "connect", String(server.ports["pop3s"]!), "ssl"], ["g", "login", "alice@localhost", "correct horse"],
                ["g", "uidl"], ["g", "quit"],
            ])
            #expect(restarted[2].strings == afterDelete)
            try await server.stop()

            // The deleted message left the INBOX but the archive and `tresor search` keep it.
            let search = try CommandRunner.run("tresor", ["search", "message-id:pop-2@e2e.test", "--count", "--data-dir", data.path])
            #expect(search.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(search.stdout) \(search.stderr)")
            let store = try MailStore(dataDirectory: data)
            defer { store.close() }
            let inbox = try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost")
            #expect(inbox.count == 2)
        }
    }
}
