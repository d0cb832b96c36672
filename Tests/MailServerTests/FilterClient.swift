import Foundation
import TestSupport

/// One message over Python's smtplib (a client independent of our code) to the MX listener
/// (`mx`: from a remote sender to alice) or to submission (`submission`: STARTTLS, alice logs in
/// and writes to bob); the reply to the end of DATA as (code, text).
enum FilterClient {
    static let script = #"""
import json, smtplib, ssl, sys
mode, port, cafile, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
data = open(path, 'rb').read()
s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', timeout=180)
s.ehlo()
sender, recipient = 'sender@remote.test', 'alice@localhost'
if mode == 'submission':
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False  # the certificate names mx.tresor.test; we connect to 127.0.0.1
    s.starttls(context=ctx)
    s.ehlo()
    s.login('alice@localhost', 'correct horse')
    sender, recipient = 'alice@localhost', 'bob@localhost'
s.mail(sender)
s.rcpt(recipient)
try:
    code, text = s.data(data)
except smtplib.SMTPDataError as error:
    code, text = error.smtp_code, error.smtp_error
print(json.dumps([code, text.decode()]))
s.quit()
"""#

    struct Reply: Sendable, CustomStringConvertible {
        var code: Int
        var text: String
        var description: String { "\(code) \(text)" }
    }

    static func send(_ message: [UInt8], mode: String = "mx", to harness: ServerHarness) async throws -> Reply {
        let file = harness.dataDirectory.deletingLastPathComponent()
            .appendingPathComponent("message-\(UUID().uuidString).eml")
        try Data(message).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let port = mode == "submission" ? harness.submission : harness.smtp
        let output = try await ChildProcess.python(script, [mode, String(port), harness.certificate.path, file.path])
        let parts = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [Any]
        return Reply(code: parts?.first as? Int ?? 0, text: parts?.last as? String ?? output)
    }

    /// A plain text message to alice with `subject`.
    static func message(id: String, subject: String, body: String = "Are we still on for lunch?") -> [UInt8] {
        Array("""
            From: Sender <sender@remote.test>\r
            To: Alice <alice@localhost>\r
            Subject: \(subject)\r
            Date: Tue, 2 Jan 2024 10:00:00 +0000\r
            Message-ID: <\(id)>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body)\r

            """.utf8)
    }

    /// GTUBE, the spam filters' test string (rspamd rejects it as SpamAssassin does).
    static let gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
}
