import IMAPServer
import ServerKit
import SocketTestSupport
import Testing

/// RFC 9051 §5.4: the autologout timer is at least 30 minutes for an authenticated client, but
/// a client that has begun a command must finish it within the command deadline, however it
/// trickles its bytes (slowloris). Time is driven by hand (`ManualTimers`).
@Suite struct IMAPCommandDeadlineTests {
    static func configure(_ timers: ManualTimers) -> (inout IMAPConfiguration) -> Void {
        { $0.timing = ConnectionTiming(commandDeadline: CommandDeadline(grace: .seconds(30)), timers: timers) }
    }

    /// Reads the greeting and logs in, each time until the server waits again.
    static func logIn(_ client: inout IMAPTestClient, _ timers: ManualTimers) async throws -> ServerWaits {
        var waits = ServerWaits(timers)
        _ = try await client.line()
        await waits.next()
        _ = try await client.command("a", "LOGIN alice secret")
        await waits.next()
        return waits
    }

    @Test func tricklingCommandLineGetsBye() async throws {
        let timers = ManualTimers()
        try await withIMAPServer(configure: Self.configure(timers)) { port, _ in
            try await IMAPTestClient.with(port) { c in
                var waits = try await Self.logIn(&c, timers)
                var fired = 0
                for byte in Array("b SELECT INBOX".utf8) {
                    if fired > 0 { break }
                    try await c.send(bytes: [byte])
                    await waits.next()
                    fired += timers.advance(by: .seconds(5))
                }
                try #require(fired == 1, "no timer fired 40 s after the command's first byte")
                #expect(try await c.line()?.hasPrefix("* BYE") == true)
                #expect(try await c.line() == nil)
            }
        }
    }

    /// A non-synchronizing literal (RFC 7888) is part of its command: trickled, it is cut off too.
    @Test func tricklingLiteralGetsBye() async throws {
        let timers = ManualTimers()
        try await withIMAPServer(configure: Self.configure(timers)) { port, _ in
            try await IMAPTestClient.with(port) { c in
                var waits = try await Self.logIn(&c, timers)
                try await c.send("b APPEND INBOX {200+}\r\n")
                await waits.next()
                var fired = 0
                for _ in 0..<20 {
                    if fired > 0 { break }
                    try await c.send("x")
                    await waits.next()
                    fired += timers.advance(by: .seconds(5))
                }
                try #require(fired == 1, "no timer fired 35 s into the literal")
                #expect(try await c.line()?.hasPrefix("* BYE") == true)
            }
        }
    }

    /// Silence between whole commands is bounded by the autologout timer only.
    @Test func silenceBetweenCommandsIsNotTheDeadline() async throws {
        let timers = ManualTimers()
        try await withIMAPServer(configure: Self.configure(timers)) { port, _ in
            try await IMAPTestClient.with(port) { c in
                var waits = try await Self.logIn(&c, timers)
                #expect(timers.advance(by: .seconds(600)) == 0)
                #expect(try await c.command("b", "NOOP").hasPrefix("b OK"))
                await waits.next()
                try #require(timers.advance(by: .seconds(1801)) == 1, "the autologout timer did not fire")
                #expect(try await c.line()?.hasPrefix("* BYE") == true)
            }
        }
    }
}
