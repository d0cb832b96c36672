import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// ManageSieve in `tresor serve` (RFC 5804): a small Python client on a raw socket, independent
/// of our code, uploads and activates a script; then an SMTP delivery is filed by it.
@Suite struct ManageSieveEndToEndTests {
    /// Runs the commands given as JSON, one session; prints the response lines of each step as
    /// one JSON list. A step is a command line (a `{N+}` literal is filled from `literal`), or
    /// "STARTTLS-UPGRADE" to start TLS after an OK to STARTTLS and read the new capabilities.
    static let client = #"""
import base64, json, re, socket, ssl, sys
host, port, cafile, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False
sock = socket.create_connection((host, port), timeout=180)
f = sock.makefile('rb')
def response():
    lines = []
    while True:
        line = f.readline()
        if not line: lines.append('<EOF>'); return lines
        text = line.rstrip(b'\r\n')
        while True:
            m = re.search(rb'\{(\d+)\}$', text)
            if not m: break
            data = f.read(int(m.group(1)))
            text = text + b'\n' + data + f.readline().rstrip(b'\r\n')
        lines.append(text.decode())
        if text.split(b' ')[0].upper() in (b'OK', b'NO', b'BYE'): return lines
out = [response()]
for step in steps:
    if step[0] == 'STARTTLS-UPGRADE':
        sock = ctx.wrap_socket(sock)
        f = sock.makefile('rb')
        out.append(response())
        continue
    line = step[0]
    if step[0].startswith('AUTHENTICATE PLAIN '):
        user, password = step[1], step[2]
        token = base64.b64encode(b'\0' + user.encode() + b'\0' + password.encode()).decode()
        line = 'AUTHENTICATE "PLAIN" "%s"' % token
    if len(step) > 1 and not step[0].startswith('AUTHENTICATE'):
        literal = step[1].encode()
        sock.sendall(('%s {%d+}\r\n' % (line, len(literal))).encode() + literal + b'\r\n')
    else:
        sock.sendall(line.encode() + b'\r\n')
    out.append(response())
print(json.dumps(out))
"""#

    static let rules = """
        require ["fileinto", "imap4flags"];
        if address :is "from" "boss@remote.test" { fileinto :flags "\\\\Flagged" "Archive"; }
        """

    static func configuration(maximumScripts: Int = 32, maximumScriptSize: Int = 1 << 20) -> TresorConfiguration {
        var configuration = ServerHarness.configuration()
        configuration.manageSieve.listener = .init(enabled: true, address: "127.0.0.1", port: 0)
        configuration.manageSieve.maximumScripts = maximumScripts
        configuration.manageSieve.maximumScriptSize = maximumScriptSize
        return configuration
    }

    static func session(_ harness: ServerHarness, _ steps: [[String]]) async throws -> [[String]] {
        let port = try #require(harness.ports["managesieve"])
        let data = try JSONSerialization.data(withJSONObject: steps)
        let output = try await ChildProcess.python(
            client, ["127.0.0.1", "\(port)", harness.certificate.path, String(decoding: data, as: UTF8.self)])
        return try JSONDecoder().decode([[String]].self, from: Data(output.utf8))
    }

    static let mail = #"""
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='client.test')
s.sendmail('boss@remote.test', ['alice@localhost'],
    b'From: The Boss <boss@remote.test>\r\nTo: alice@localhost\r\nSubject: Plans\r\nMessage-ID: <plans@remote.test>\r\n\r\nSee me.\r\n')
s.quit()
"""#

    @Test func scriptUploadedOverManageSieveFilesTheNextDelivery() async throws {
        try await ServerHarness.with(users: [("alice@localhost", "correct horse")],
                                     configuration: Self.configuration()) { harness in
            let out = try await Self.session(harness, [
                ["AUTHENTICATE PLAIN ", "alice@localhost", "correct horse"],
                ["PUTSCRIPT \"rules\"", Self.rules],
                ["SETACTIVE \"rules\""],
                ["LISTSCRIPTS"],
                ["LOGOUT"],
            ])
            let greeting = out[0].joined(separator: "\n")
            #expect(greeting.contains("\"SIEVE\" \""))
            #expect(greeting.contains("fileinto") && greeting.contains("imap4flags"))
            #expect(greeting.contains(" vacation ") && greeting.contains("vacation-seconds"))
            #expect(greeting.contains("editheader"))
            #expect(out[1].last?.hasPrefix("OK") == true, "\(out[1])")
            #expect(out[2].last?.hasPrefix("OK") == true, "\(out[2])")
            #expect(out[3].last?.hasPrefix("OK") == true, "\(out[3])")
            #expect(out[4] == ["\"rules\" ACTIVE", out[4].last!])
            _ = try await ChildProcess.python(Self.mail, ["\(harness.smtp)"])
        } after: { (store: MailStore) async throws in
            let filed = try await store.mailboxes.messages(in: "Archive", of: "alice@localhost")
            #expect(filed.count == 1)
            #expect(filed.first?.flags == ["\\Flagged"])
            #expect(try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost").isEmpty)
            #expect(try await store.rules.activeScript(of: "alice@localhost")?.source == Self.rules)
            // Every change is audited with the user as actor.
            #expect(try await store.catalog.governance.auditLog(actor: "user:alice@localhost").map(\.action)
                    == ["sieve-put", "sieve-activate"])
        }
    }

    /// RFC 6609 §3.2 at upload: PUTSCRIPT and CHECKSCRIPT refuse a script that includes one the
    /// user does not have, or that closes a loop; once the included script is there, both accept.
    @Test func includesAreCheckedAtUpload() async throws {
        try await ServerHarness.with(users: [("alice@localhost", "correct horse")],
                                     configuration: Self.configuration()) { harness in
            let main = "require \"include\";\r\ninclude \"lists\";\r\n"
            let out = try await Self.session(harness, [
                ["AUTHENTICATE PLAIN ", "alice@localhost", "correct horse"],
                ["PUTSCRIPT \"main\"", main],
                ["CHECKSCRIPT", main],
                ["PUTSCRIPT \"lists\"", "keep;\r\n"],
                ["PUTSCRIPT \"main\"", main],
                ["CHECKSCRIPT", main],
                ["PUTSCRIPT \"lists\"", "require \"include\";\r\ninclude \"main\";\r\n"],
                ["LOGOUT"],
            ])
            #expect(out[2].joined().hasPrefix("NO") && out[2].joined().contains("lists"), "\(out[2])")
            #expect(out[3].joined().hasPrefix("NO"), "\(out[3])")
            #expect(out[4].last?.hasPrefix("OK") == true, "\(out[4])")
            #expect(out[5].last?.hasPrefix("OK") == true, "\(out[5])")
            #expect(out[6].last?.hasPrefix("OK") == true, "\(out[6])")
            #expect(out[7].joined().hasPrefix("NO") && out[7].joined().contains("loop"), "\(out[7])")
        } after: { (store: MailStore) async throws in
            #expect(try await store.rules.script("lists", of: "alice@localhost")?.source == "keep;\r\n")
        }
    }

    /// STARTTLS (RFC 5804 §2.2), then compile errors, quotas, the active script's protection.
    @Test func startTLSQuotasAndRefusals() async throws {
        try await ServerHarness.with(users: [("alice@localhost", "correct horse")],
                                     configuration: Self.configuration(maximumScripts: 2, maximumScriptSize: 2048)) { harness in
            let out = try await Self.session(harness, [
                ["STARTTLS"],
                ["STARTTLS-UPGRADE"],
                ["AUTHENTICATE PLAIN ", "alice@localhost", "correct horse"],
                ["PUTSCRIPT \"bad\"", "fileinto \"x\";\r\n"],
                ["CHECKSCRIPT", "require \"fileinto\";\r\nfileinto \"x\";\r\n"],
                ["PUTSCRIPT \"one\"", "keep;\r\n"],
                ["PUTSCRIPT \"two\"", "discard;\r\n"],
                ["PUTSCRIPT \"three\"", "keep;\r\n"],
                ["PUTSCRIPT \"one\"", "keep; # replacing needs no new slot\r\n"],
                ["HAVESPACE \"one\" 4096"],
                ["SETACTIVE \"two\""],
                ["DELETESCRIPT \"two\""],
                ["RENAMESCRIPT \"one\" \"two\""],
                ["GETSCRIPT \"one\""],
                ["LOGOUT"],
            ])
            #expect(out[1].last?.hasPrefix("OK") == true, "\(out[1])")
            #expect(out[2].contains { $0.hasPrefix("\"SIEVE\"") }, "capabilities again after TLS: \(out[2])")
            #expect(out[3].last?.hasPrefix("OK") == true, "\(out[3])")
            let bad = out[4].joined(separator: "\n")
            #expect(bad.hasPrefix("NO") && bad.contains("1:"), "\(bad)")  // line:column of the error
            #expect(out[5].last?.hasPrefix("OK") == true, "\(out[5])")
            #expect(out[6].last?.hasPrefix("OK") == true && out[7].last?.hasPrefix("OK") == true)
            #expect(out[8].last?.contains("QUOTA/MAXSCRIPTS") == true, "\(out[8])")
            #expect(out[9].last?.hasPrefix("OK") == true, "\(out[9])")
            #expect(out[10].last?.contains("QUOTA/MAXSIZE") == true, "\(out[10])")
            #expect(out[11].last?.hasPrefix("OK") == true)
            #expect(out[12].last?.contains("ACTIVE") == true && out[12].last?.hasPrefix("NO") == true, "\(out[12])")
            #expect(out[13].last?.contains("ALREADYEXISTS") == true, "\(out[13])")
            #expect(out[14].joined().contains("replacing needs no new slot"), "\(out[14])")
        } after: { (store: MailStore) async throws in
            #expect(try await store.rules.scripts(of: "alice@localhost").map(\.name) == ["one", "two"])
            #expect(try await store.rules.activeScript(of: "alice@localhost")?.name == "two")
        }
    }
}

/// The `[managesieve]` table of `tresor.toml`.
@Suite struct ManageSieveConfigurationTests {
    @Test func onByDefaultOnTheRFCPort() {
        let settings = TresorConfiguration().manageSieve
        #expect(settings.listener == .init(enabled: true, address: "127.0.0.1", port: 4190))
        #expect(settings.maximumScripts == 32 && settings.maximumScriptSize == 1 << 20)
    }

    @Test func tableSetsListenerAndQuotas() throws {
        let configuration = try TresorConfiguration.parse("""
            [managesieve]
            enabled = true
            address = "::1"
            port = 14190
            max_scripts = 5
            max_script_size = "64k"
            """)
        #expect(configuration.manageSieve.listener == .init(enabled: true, address: "::1", port: 14190))
        #expect(configuration.manageSieve.maximumScripts == 5)
        #expect(configuration.manageSieve.maximumScriptSize == 65536)
    }

    @Test(arguments: [
        ("[managesieve]\nport = 70000\n", "tresor.toml:2: managesieve.port: must be an integer from 0 to 65535, not 70000"),
        ("[managesieve]\nenabled = true\nmax_scripts = 0\n",
         "tresor.toml:3: managesieve.max_scripts: must be an integer from 1 to 10000, not 0"),
        ("[managesieve]\nhost = \"127.0.0.1\"\n", "tresor.toml:2: managesieve.host: unknown key"),
    ])
    func badInputIsNamedByKeyAndLine(_ text: String, _ message: String) throws {
        let error = #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse(text) }
        #expect(error?.description == message)
    }

    @Test func disabledManageSieveIsNotStarted() async throws {
        var configuration = ServerHarness.configuration()
        configuration.manageSieve.listener.enabled = false
        try await ServerHarness.with(users: [], configuration: configuration) { harness in
            #expect(harness.ports["managesieve"] == nil)
            #expect(harness.ports["smtp"] != nil)
        }
    }
}
