import ServerKit
import SMTPServer
import SocketTestSupport
import Testing

/// An SMTP listener that requires a PROXY header, over real sockets from 127.0.0.1: the wait for
/// the header is bounded on a hand-driven clock, and the per-address limit counts the client the
/// header names, not the balancer's socket.
@Suite struct ProxyProtocolSocketTests {
    /// A v2 PROXY header for a TCP client at `source` (IPv4) connecting to 127.0.0.1:25.
    static func header(from source: [UInt8]) -> [UInt8] {
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 12]
            + source + [127, 0, 0, 1] + [0x9C, 0x40, 0x00, 0x19]
    }

    /// A connection whose header is still incomplete when the wait ends is closed without a
    /// greeting; the timer fires only once the whole wait has passed.
    @Test func incompleteHeaderIsClosedAtTheDeadline() async throws {
        let timers = ManualTimers()
        let proxy = ProxyProtocol(headerTimeout: .seconds(5), timers: timers)
        try await withSMTPServer(proxyProtocol: proxy) { port, _ in
            try await SMTPTestClient.with(port) { client in
                try await client.send(bytes: Array(Self.header(from: [192, 0, 2, 1]).prefix(10)))
                await timers.waitForSchedules(atLeast: 1)
                #expect(timers.advance(by: .seconds(4)) == 0)
                #expect(timers.advance(by: .seconds(1)) == 1)
                // Closed without a greeting: an end of stream, or a reset when the close came
                // before the server read the partial header.
                let reply = try? await client.reply()
                #expect(reply == nil)
            }
        }
    }

    /// With one connection per address, a second client behind the same balancer is admitted and
    /// a second connection of the same client is refused (421, RFC 5321 §3.1).
    @Test func perAddressLimitCountsTheHeadersClient() async throws {
        try await withSMTPServer(configure: { $0.limits.connectionsPerAddress = 1 },
                                 proxyProtocol: ProxyProtocol(timers: ManualTimers())) { port, _ in
            try await SMTPTestClient.with(port) { first in
                try await first.send(bytes: Self.header(from: [192, 0, 2, 1]))
                try await first.expect("220")
                try await SMTPTestClient.with(port) { again in
                    try await again.send(bytes: Self.header(from: [192, 0, 2, 1]))
                    try await again.expect("421")
                }
                try await SMTPTestClient.with(port) { other in
                    try await other.send(bytes: Self.header(from: [192, 0, 2, 2]))
                    try await other.expect("220")
                    try await other.command("QUIT", "221")
                }
                try await first.command("QUIT", "221")
            }
        }
    }
}
