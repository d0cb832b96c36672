import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// A server behind a load balancer: Python plays the balancer, opening each connection with a
/// PROXY header (HAProxy v2 binary, or v1 text) and then speaking SMTP through smtplib. The header's
/// client address must stand for the peer everywhere — in the archive's envelope and in the rule
/// that allows plaintext AUTH only to loopback clients — and a listener that does not enable the
/// protocol must treat a header as the protocol's garbage.
@Suite struct ProxyProtocolEndToEndTests {
    /// `python3 -c client MODE PORT …`; prints one JSON object of what it saw.
    static let client = #"""
import base64, json, smtplib, socket, struct, sys
mode, port = sys.argv[1], int(sys.argv[2])
SIGNATURE = b'\r\n\r\n\x00\r\nQUIT\n'

def v2(source, command=0x21):
    if source is None:
        return SIGNATURE + bytes([command, 0x00]) + struct.pack('!H', 0)
    body = socket.inet_aton(source) + socket.inet_aton('127.0.0.1') + struct.pack('!HH', 40000, 25)
    tlv = b'\x02' + struct.pack('!H', 7) + b'mx.test'  # PP2_TYPE_AUTHORITY, to be skipped
    return SIGNATURE + bytes([command, 0x11]) + struct.pack('!H', len(body + tlv)) + body + tlv

class Balanced(smtplib.SMTP):
    """smtplib over a connection that first sends `header`, as a balancer does."""
    def __init__(self, header, port):
        self.header = header
        super().__init__('127.0.0.1', port, local_hostname='client.test', timeout=180)
    def _get_socket(self, host, port, timeout):
        s = socket.create_connection((host, port), timeout)
        s.sendall(self.header)
        return s

def send(header, message_id):
    s = Balanced(header, port)
    s.ehlo()
    s.mail('sender@remote.test')
    code = s.rcpt('alice@localhost')[0]
    data = s.data(b'From: sender@remote.test\r\nTo: alice@localhost\r\nSubject: proxied\r\n'
                  b'Message-ID: <' + message_id.encode() + b'>\r\n\r\nHello.\r\n')[0]
    s.quit()
    return '%d %d' % (code, data)

def closed_unanswered(first):
    s = socket.create_connection(('127.0.0.1', port), 180)
    s.sendall(first)
    data = b''
    while True:
        chunk = s.recv(4096)
        if not chunk: break
        data += chunk
    return data.decode('latin-1')

def auth(header):
    s = Balanced(header, port)
    s.ehlo()
    advertised = s.has_extn('auth')
    code = s.docmd('AUTH', 'PLAIN ' + base64.b64encode(b'\0alice@localhost\0correct horse').decode())[0]
    s.quit()
    return '%s %d' % ('advertised' if advertised else 'hidden', code)

out = {}
if mode == 'mx':
    out['v2'] = send(v2('203.0.113.7'), 'v2@proxy.test')
    out['v1'] = send(b'PROXY TCP4 198.51.100.9 127.0.0.1 40001 25\r\n', 'v1@proxy.test')
    out['local'] = send(v2('192.0.2.99', command=0x20), 'local@proxy.test')
    out['noHeader'] = closed_unanswered(b'EHLO client.test\r\n')
    out['badVersion'] = closed_unanswered(SIGNATURE + b'\x31\x11\x00\x0c' + bytes(12) + b'EHLO x\r\n')
elif mode == 'submission':
    out['remote'] = auth(v2('192.0.2.1'))
    out['loopback'] = auth(v2('127.0.0.1'))
elif mode == 'garbage':
    s = socket.create_connection(('127.0.0.1', port), 180)
    f = s.makefile('rb')
    out['banner'] = f.readline().decode('latin-1').strip()
    s.sendall(v2('203.0.113.7') + b'EHLO client.test\r\n')
    out['reply'] = f.readline().decode('latin-1').strip()
elif mode == 'postmaster':
    s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', timeout=180)
    s.ehlo()
    s.mail('sender@remote.test')
    out['rcpt'] = s.rcpt('<Postmaster>')[0]
    out['lower'] = s.rcpt('<postmaster>')[0]
    out['data'] = s.data(b'From: sender@remote.test\r\nTo: postmaster\r\nSubject: hi\r\n'
                         b'Message-ID: <postmaster@proxy.test>\r\n\r\nHello.\r\n')[0] if out['rcpt'] == 250 else 0
    s.quit()
print(json.dumps({k: str(v) for k, v in out.items()}))
"""#

    static func run(_ mode: String, port: Int) async throws -> [String: String] {
        let output = try await ChildProcess.python(client, [mode, "\(port)"])
        return try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
    }

    static func clientAddress(of messageID: String, in store: MailStore) async throws -> String? {
        let hit = try await Stored.find(messageID: messageID, user: "alice@localhost", in: store).hit
        return try await store.catalog.messages.message(id: hit.id)?.deliveries.first?.envelope.clientAddress
    }

    static let users = [("alice@localhost", "correct horse")]

    /// The header's source is the client the archive records (v2 with a TLV to skip, and v1); a
    /// LOCAL header (the balancer's own check) keeps the socket's address; a connection that
    /// opens without a valid header is closed before the greeting.
    @Test func mxListenerTakesTheClientFromTheHeader() async throws {
        var configuration = ServerHarness.configuration()
        configuration.smtp.proxyProtocol = true
        try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
            let seen = try await Self.run("mx", port: harness.smtp)
            #expect(seen["v2"] == "250 250")
            #expect(seen["v1"] == "250 250")
            #expect(seen["local"] == "250 250")
            #expect(seen["noHeader"] == "")
            #expect(seen["badVersion"] == "")
        } after: { store in
            let v2 = try await Self.clientAddress(of: "v2@proxy.test", in: store)
            let v1 = try await Self.clientAddress(of: "v1@proxy.test", in: store)
            let local = try await Self.clientAddress(of: "local@proxy.test", in: store)
            #expect(v2 == "203.0.113.7")
            #expect(v1 == "198.51.100.9")
            #expect(local == "127.0.0.1")
        }
    }

    /// Plaintext AUTH is allowed to loopback clients only; behind a balancer the socket's peer is
    /// always the balancer, so the header decides: a remote client is refused (538, RFC 4954 §4)
    /// over the same loopback socket that a header naming 127.0.0.1 may authenticate on.
    @Test func loopbackAuthRuleFollowsTheHeader() async throws {
        var configuration = ServerHarness.configuration()
        configuration.submission.proxyProtocol = true
        configuration.submission.proxyTrusted = ["127.0.0.1"]
        try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
            let seen = try await Self.run("submission", port: harness.submission)
            #expect(seen["remote"] == "hidden 538")
            #expect(seen["loopback"] == "advertised 235")
        }
    }

    /// Where the listener does not enable it, a PROXY header is just bytes of the protocol, and
    /// refused as such (the greeting came first; the header's lines draw a 5xx).
    @Test func listenerWithoutProxyProtocolTreatsAHeaderAsGarbage() async throws {
        try await ServerHarness.with(users: Self.users) { harness in
            let seen = try await Self.run("garbage", port: harness.smtp)
            #expect(seen["banner"]?.hasPrefix("220") == true)
            #expect(seen["reply"]?.hasPrefix("5") == true, "\(seen)")
        }
    }

    /// RFC 5321 §4.1.1.3, §4.5.1: `RCPT TO:<Postmaster>` without a domain, in any case, is accepted
    /// on the MX listener and delivered to postmaster of the primary domain.
    @Test func postmasterWithoutDomainReachesThePrimaryDomainsPostmaster() async throws {
        let users = Self.users + [("postmaster@localhost", "postmaster password")]
        try await ServerHarness.with(users: users) { harness in
            let seen = try await Self.run("postmaster", port: harness.smtp)
            #expect(seen["rcpt"] == "250")
            #expect(seen["lower"] == "250")
            #expect(seen["data"] == "250")
        } after: { store in
            let inbox = try await store.mailboxes.messages(in: "INBOX", of: "postmaster@localhost")
            #expect(inbox.count == 1)
            let hit = try await Stored.find(messageID: "postmaster@proxy.test", user: "postmaster@localhost", in: store).hit
            let envelope = try await store.catalog.messages.message(id: hit.id)?.deliveries.first?.envelope
            #expect(envelope?.recipients.isEmpty == false)
            #expect(envelope?.recipients.allSatisfy { $0 == "postmaster@localhost" } == true, "\(String(describing: envelope))")
        }
    }

    /// Without a postmaster user or alias in the primary domain, `<Postmaster>` is refused like any
    /// unknown local user (550), not as a relay attempt or a syntax error.
    @Test func postmasterWithoutMailboxIsAnUnknownUser() async throws {
        try await ServerHarness.with(users: Self.users) { harness in
            let seen = try await Self.run("postmaster", port: harness.smtp)
            #expect(seen["rcpt"] == "550")
            #expect(seen["lower"] == "550")
        }
    }
}
