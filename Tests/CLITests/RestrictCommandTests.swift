import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// `tresor restrict` as a data-protection officer runs it beside a running `tresor serve`: the
/// owner's IMAP (Python's imaplib) and POP3 (poplib) sessions and `tresor search` lose the
/// restricted messages, a hold still covers them, releasing brings them back, and the trail, the
/// chain and `verify` agree. Also `tresor private` and `tresor export --subject`.
@Suite struct RestrictCommandTests {
    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin,
                              environment: TestOperators.environment(dir))
    }

    /// Sends two messages to anna over SMTP: one from jane, one from carl.
    static let send = #"""
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='client.test', timeout=60)
for sender, subject in (('jane@remote.test', 'jane writes'), ('carl@remote.test', 'carl writes')):
    s.sendmail(sender, ['anna@localhost'], ('From: <%s>\r\nTo: <anna@localhost>\r\nSubject: %s\r\n'
               'Message-ID: <%s@remote.test>\r\n\r\nhello\r\n' % (sender, subject, subject.replace(' ', '.'))).encode())
s.quit()
"""#

    /// What anna sees: over IMAP the SELECT count, STATUS MESSAGES, the subjects UID SEARCH ALL
    /// and FETCH find, and a UID FETCH of every UID 1…10; over POP3 the message count. One JSON object.
    static let look = #"""
import imaplib, json, poplib, re, sys
imap_port, pop_port = int(sys.argv[1]), int(sys.argv[2])
m = imaplib.IMAP4('127.0.0.1', imap_port)
m.login('anna@localhost', 'secret')
status = m.status('INBOX', '(MESSAGES)')[1][0].decode()
typ, data = m.select('INBOX', readonly=True)
exists = int(data[0])
uids = m.uid('SEARCH', None, 'ALL')[1][0].split()
subjects = []
for uid in uids:
    typ, data = m.uid('FETCH', uid, '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    subjects.append(data[0][1].decode().strip())
typ, data = m.uid('FETCH', '1:10', '(UID)')
fetched = [d.decode() if isinstance(d, bytes) else d[0].decode() for d in data if d is not None]
m.logout()
p = poplib.POP3('127.0.0.1', pop_port)
p.user('anna@localhost'); p.pass_('secret')
count = p.stat()[0]
p.quit()
print(json.dumps({'status': re.search(r'MESSAGES (\d+)', status).group(1), 'exists': exists,
                  'subjects': sorted(subjects), 'fetched': len(fetched), 'pop3': count}))
"""#

    struct View: Decodable, Equatable {
        var status: String
        var exists: Int
        var subjects: [String]
        var fetched: Int
        var pop3: Int
    }

    func look(_ serve: ServeProcess) async throws -> View {
        let output = try await ChildProcess.python(Self.look, [String(serve.ports["imap"]!), String(serve.ports["pop3"]!)])
        return try JSONDecoder().decode(View.self, from: Data(output.utf8))
    }

    @Test func aRestrictionHidesMailFromTheOwnerOverIMAPAndPOP3AndSearchUntilReleased() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)  // makes localhost local
            let user = try tresor(dir, ["user", "add", "anna@localhost", "--password-stdin"], stdin: Array("secret\n".utf8))
            #expect(user.status == 0, "\(user.stderr)")
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.restrict.test").utf8).write(to: config)
            let serve = try await ServeProcess.start(config: config)
            defer { serve.killIfRunning() }
            _ = try await ChildProcess.python(Self.send, [String(serve.ports["smtp"]!)])
            let both = View(status: "2", exists: 2, subjects: ["Subject: carl writes", "Subject: jane writes"],
                            fetched: 2, pop3: 2)
            #expect(try await look(serve) == both)

            let add = try tresor(dir, ["restrict", "add", "dsr-1", "--query", "from:jane@remote.test",
                                       "--reason", "Art. 18 request, accuracy contested"])
            #expect(add.status == 0, "\(add.stderr)")
            #expect(add.stdout.contains("hides 1 message(s) now"))
            #expect(try await look(serve) == View(status: "1", exists: 1, subjects: ["Subject: carl writes"], fetched: 1,
                                                  pop3: 1))
            #expect(try tresor(dir, ["search", "from:jane@remote.test", "--count"]).stdout.hasPrefix("0"))
            #expect(try tresor(dir, ["search", "from:jane@remote.test", "--count", "--include-restricted"]).stdout
                .hasPrefix("1"))
            // A hold is no owner's view: it covers the restricted message.
            let hold = try tresor(dir, ["hold", "add", "case", "--query", "from:jane@remote.test", "--reason", "lawsuit"])
            #expect(hold.stdout.contains("covers 1 message(s) now"), "\(hold.stdout)\(hold.stderr)")
            #expect(try tresor(dir, ["restrict", "list"]).stdout.contains("dsr-1\tactive\t1 message(s)"))

            let release = try tresor(dir, ["restrict", "release", "dsr-1", "--reason", "accuracy confirmed"])
            #expect(release.status == 0, "\(release.stderr)")
            #expect(try await look(serve) == both)
            #expect(try tresor(dir, ["restrict", "show", "dsr-1"]).stdout.contains("status: released"))
            await serve.stop(SIGTERM)

            let audit = try tresor(dir, ["audit"]).stdout
            #expect(audit.contains("restrict add (1)") && audit.contains("restrict release")
                    && audit.contains("search restricted"), "\(audit)")
            let verified = try tresor(dir, ["verify"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        }
    }

    @Test func privateRuleAndSubjectAccessExportFromTheCommandLine() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try tresor(dir, ["init"]).status == 0)
            let message = Array("From: jane@remote.test\r\nTo: bob@remote.test\r\nSubject: hi\r\nMessage-ID: <hi@t>\r\n\r\nx\r\n".utf8)
            #expect(try tresor(dir, ["import", "-"], stdin: message).status == 0)

            #expect(try tresor(dir, ["private", "show"]).stdout.contains("no private-mail rule"))
            let set = try tresor(dir, ["private", "set", "--folder", "Privat", "--keyword", "$Private"])
            #expect(set.status == 0, "\(set.stderr)")
            let shown = try tresor(dir, ["private", "show"]).stdout
            #expect(shown.contains("folder=Privat keyword=$Private") && shown.contains("by operator:alice"), "\(shown)")
            #expect(try tresor(dir, ["export", "--query", "hi", "--include-private"]).status != 0, "needs --case")

            let out = dir.appendingPathComponent("access").path
            let export = try tresor(dir, ["export", "--subject", "jane@remote.test", "--out", out])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stdout.contains("subject access for jane@remote.test: 1 message(s)"), "\(export.stdout)")
            let verified = try CommandRunner.run("tresor", ["verify-export", out, "--data-dir",
                                                            dir.appendingPathComponent("data").path])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            #expect(try tresor(dir, ["verify"]).status == 0)
        }
    }
}
