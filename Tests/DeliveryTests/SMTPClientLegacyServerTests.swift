import Delivery
import Foundation
import Testing
import TestSupport

/// The client against an old server scripted in plain Python: EHLO is refused (502), so the
/// client says HELO (RFC 5321 §3.2) and uses no extension — no SIZE or BODY parameters, one
/// command at a time, dot-stuffed DATA.
@Suite struct SMTPClientLegacyServerTests {
    static let server = #"""
import asyncio, sys
transcript = open(sys.argv[1], 'ab', buffering=0)
mode = sys.argv[2]
connections = [0]
async def handle(reader, writer):
    connections[0] += 1
    transcript.write(b'-- connection %d\r\n' % connections[0])
    writer.write(b'220 old.test ready\r\n')
    in_data = False
    while True:
        line = await reader.readline()
        if not line:
            break
        transcript.write(line)
        if in_data:
            if line == b'.\r\n':
                in_data = False
                writer.write(b'250 queued\r\n')
        else:
            verb = line[:4].upper()
            if verb == b'EHLO' and mode == 'badtls':
                writer.write(b'250-old.test\r\n250 STARTTLS\r\n')
            elif verb == b'STAR' and mode == 'badtls':
                # Agree, then answer the TLS ClientHello with cleartext: the handshake fails.
                writer.write(b'220 go ahead\r\n')
                await writer.drain()
                await reader.read(1)
                writer.write(b'this is not TLS\r\n' * 4)
                await writer.drain()
                break
            elif verb == b'EHLO':
                writer.write(b'502 command not implemented\r\n')
            elif verb == b'HELO':
                writer.write(b'250 old.test\r\n')
            elif verb == b'DATA':
                in_data = True
                writer.write(b'354 end with .\r\n')
            elif verb == b'QUIT':
                writer.write(b'221 bye\r\n')
                await writer.drain()
                break
            else:
                writer.write(b'250 ok\r\n')
        await writer.drain()
    writer.close()
async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""#

    /// Starts the server; its port, and the file its transcript goes to.
    static func start(in folder: URL, mode: String) async throws -> (SpawnedProcess, Int, URL) {
        let transcript = folder.appendingPathComponent("transcript")
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.server, transcript.path, mode]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = await ChildProcess.read(out.fileHandleForReading) { $0.contains("\n") }
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            await ChildProcess.stop(process, signal: SIGKILL)
            throw ServerDidNotStart(output: text)
        }
        return (process, port, transcript)
    }

    struct ServerDidNotStart: Error { var output: String }

    @Test func heloFallbackWithoutExtensions() async throws {
        try await withTemporaryDirectory { folder in
            let (process, port, transcript) = try await Self.start(in: folder, mode: "helo")
            defer { Task { await ChildProcess.stop(process, signal: SIGKILL) } }
            let host = OutboundHost(name: "127.0.0.1", port: port)
            let outcome = try await SMTPClientSession.with(host: host, localName: "client.test") { session in
                #expect(session.capabilities == SMTPServerCapabilities() && !session.isEncrypted)
                return try await session.send(OutboundTransaction(
                    mailFrom: "anna@a.test", recipients: ["one@old.test", "two@old.test"],
                    content: Array("Subject: Grüße\n\n.dot first\nend".utf8)))
            }
            #expect(outcome.replies.map(\.code) == [250, 250])
            let lines = String(decoding: try Data(contentsOf: transcript), as: UTF8.self)
            #expect(lines == """
                -- connection 1\r
                EHLO client.test\r
                HELO client.test\r
                MAIL FROM:<anna@a.test>\r
                RCPT TO:<one@old.test>\r
                RCPT TO:<two@old.test>\r
                DATA\r
                Subject: Grüße\r
                \r
                ..dot first\r
                end\r
                .\r
                QUIT\r

                """)
        }
    }

    /// RFC 7435 §3: when an offered STARTTLS fails in the handshake, the message still goes out,
    /// over a new connection in cleartext.
    @Test func failedOpportunisticHandshakeFallsBackToCleartext() async throws {
        try await withTemporaryDirectory { folder in
            let (process, port, transcript) = try await Self.start(in: folder, mode: "badtls")
            defer { Task { await ChildProcess.stop(process, signal: SIGKILL) } }
            let host = OutboundHost(name: "127.0.0.1", port: port)
            let outcome = try await SMTPClientSession.withFallback(host: host, localName: "client.test") { session in
                #expect(!session.isEncrypted && session.capabilities.startTLS)
                return try await session.send(OutboundTransaction(mailFrom: "anna@a.test", recipients: ["one@old.test"],
                                                                  content: Array("Subject: x\r\n\r\nhi\r\n".utf8)))
            }
            #expect(outcome.replies.map(\.code) == [250])
            let lines = String(decoding: try Data(contentsOf: transcript), as: UTF8.self)
            #expect(lines.hasPrefix("-- connection 1\r\nEHLO client.test\r\nSTARTTLS\r\n"), "\(lines)")
            #expect(lines.hasSuffix("""
                -- connection 2\r
                EHLO client.test\r
                MAIL FROM:<anna@a.test>\r
                RCPT TO:<one@old.test>\r
                DATA\r
                Subject: x\r
                \r
                hi\r
                .\r
                QUIT\r

                """), "\(lines)")
            // Required TLS does not fall back.
            var required = host
            required.tls = .required
            await #expect(throws: SMTPClientError.self) {
                try await SMTPClientSession.withFallback(host: required, localName: "client.test") { _ in }
            }
        }
    }
}
