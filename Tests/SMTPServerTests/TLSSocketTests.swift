import Foundation
import ServerKit
import SMTPServer
import Testing

/// STARTTLS and implicit TLS, with Python's smtplib as an independent client.
@Suite struct TLSSocketTests {
    static let script = """
        import smtplib, ssl, sys
        port, mode = int(sys.argv[1]), sys.argv[2]
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        if mode == "implicit":
            s = smtplib.SMTP_SSL("127.0.0.1", port, context=context)
        else:
            s = smtplib.SMTP("127.0.0.1", port)
            s.ehlo("client.test")
            assert s.has_extn("starttls"), "no STARTTLS"
            assert not s.has_extn("auth"), "AUTH before TLS"
            s.starttls(context=context)
        s.ehlo("client.test")
        assert not s.has_extn("starttls"), "STARTTLS offered twice"
        try:
            s.login("alice@example.test", "wrong")
            sys.exit("wrong password accepted")
        except smtplib.SMTPAuthenticationError as e:
            assert e.smtp_code == 535, e
        s.login("alice@example.test", "secret")
        s.sendmail("alice@example.test", ["friend@far.test"], b"Subject: tls\\r\\n\\r\\nover TLS\\r\\n")
        s.quit()
        print("ok")
        """

    @Test func startTLSThenAuthThenSend() async throws {
        let (certificate, key) = try SelfSignedCertificate.generate(hostname: "mx.test")
        let tls = try ServerTLS(certificatePEM: certificate, keyPEM: key)
        try await withSMTPServer(.submission, configure: { $0.tls = tls }) { port, backend in
            let (status, output) = try await runPython(Self.script, arguments: ["\(port)", "starttls"])
            #expect(status == 0, "\(output)")
            let delivered = try #require(backend.deliveries.first)
            #expect(delivered.session.tls)
            #expect(delivered.envelope.recipients == ["friend@far.test"])
            #expect(String(decoding: delivered.message, as: UTF8.self).contains("with ESMTPSA id"))
        }
    }

    @Test func implicitTLSSubmission() async throws {
        let (certificate, key) = try SelfSignedCertificate.generate(hostname: "mx.test")
        let tls = try ServerTLS(certificatePEM: certificate, keyPEM: key)
        try await withSMTPServer(.submissionTLS, configure: { $0.tls = tls }) { port, backend in
            let (status, output) = try await runPython(Self.script, arguments: ["\(port)", "implicit"])
            #expect(status == 0, "\(output)")
            #expect(backend.deliveries.count == 1)
        }
    }

    @Test func plaintextPipelinedAfterStartTLSClosesTheConnection() async throws {
        let (certificate, key) = try SelfSignedCertificate.generate(hostname: "mx.test")
        let tls = try ServerTLS(certificatePEM: certificate, keyPEM: key)
        try await withSMTPServer(.submission, configure: { $0.tls = tls }) { port, _ in
            try await SMTPTestClient.with(port) { c in
                try await c.expect("220")
                try await c.command("EHLO c.test", "250")
                try await c.send("STARTTLS\r\nRSET\r\n")  // CVE-2011-0411: injected plaintext
                #expect(try await c.reply() == nil)
            }
        }
    }
}
