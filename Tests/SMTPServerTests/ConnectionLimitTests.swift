import Foundation
import Logging
import ServerKit
import ServiceLifecycle
import SMTPServer
import SocketTestSupport
import Testing

/// The connection limits and the command deadline, over real sockets; time is driven by hand
/// (`ManualTimers`), never slept.
@Suite struct ConnectionLimitTests {
    /// RFC 5321 §4.5.3.2.7 bounds silence only; a client that sends one byte at a time resets that
    /// timer with each byte. The command deadline, counted from the command's first byte, is not
    /// reset: the trickling client gets 421 and is closed once it passes.
    @Test func tricklingClientIsClosedAtTheCommandDeadline() async throws {
        let timers = ManualTimers()
        try await withSMTPServer(configure: { $0.timing = Self.timing(timers) }) { port, _ in
            try await SMTPTestClient.with(port) { c in
                var waits = ServerWaits(timers)
                try await c.expect("220")
                await waits.next()  // the server waits for the first command
                // One byte every 5 seconds: each is well inside the 300 s idle timeout, but the
                // line is not complete when 60 s (+ 1 s per 500 bytes) have passed since its first byte.
                var fired = 0
                for byte in Array("HELO trickle.example".utf8) {
                    if fired > 0 { break }
                    try await c.send(bytes: [byte])
                    await waits.next()  // read, and the timer armed again
                    fired += timers.advance(by: .seconds(5))
                }
                try #require(fired == 1, "no timer fired 65 s after the command's first byte")
                try await c.expect("421 4.4.2")
                #expect(try await c.line() == nil)
            }
        }
    }

    /// A client that sends whole commands and then pauses for longer than the command deadline
    /// (but less than the idle timeout) keeps its connection; the idle timeout still applies.
    @Test func clientSendingWholeCommandsIsNotClosed() async throws {
        let timers = ManualTimers()
        try await withSMTPServer(configure: {
            $0.timing = Self.timing(timers)
            $0.limits.timeouts.server = .seconds(300)
        }) { port, _ in
            try await SMTPTestClient.with(port) { c in
                var waits = ServerWaits(timers)
                try await c.expect("220")
                await waits.next()
                for _ in 0..<3 {
                    try await c.command("NOOP", "250")
                    await waits.next()
                    // Twice the deadline, under the idle timeout: no timer is due.
                    #expect(timers.advance(by: .seconds(120)) == 0)
                }
                try await c.command("EHLO normal.example", "250")
                await waits.next()
                try #require(timers.advance(by: .seconds(301)) == 1, "the idle timeout did not fire")
                try await c.expect("421 4.4.2")
            }
        }
    }

    /// DATA content is one command: a message trickled in stays under the idle timeout between its
    /// blocks (§4.5.3.2.5) yet is cut off at the deadline, and nothing is delivered.
    @Test func tricklingMessageContentIsClosedAtTheDeadline() async throws {
        let timers = ManualTimers()
        try await withSMTPServer(configure: { $0.timing = Self.timing(timers) }) { port, backend in
            try await SMTPTestClient.with(port) { c in
                var waits = ServerWaits(timers)
                try await c.expect("220")
                await waits.next()
                for (command, reply) in [("EHLO c.test", "250"), ("MAIL FROM:<a@r.test>", "250"),
                                         ("RCPT TO:<bob@example.test>", "250"), ("DATA", "354")] {
                    try await c.command(command, reply)
                    await waits.next()
                }
                var fired = 0
                for line in 0..<20 {
                    if fired > 0 { break }
                    try await c.send("line \(line)\r\n")
                    await waits.next()
                    fired += timers.advance(by: .seconds(10))  // 10 s between blocks: under §4.5.3.2.5's 180 s
                }
                try #require(fired == 1, "no timer fired 70 s into the message content")
                try await c.expect("421 4.4.2")
            }
            #expect(backend.deliveries.isEmpty)
        }
    }

    static func timing(_ timers: ManualTimers) -> ConnectionTiming {
        ConnectionTiming(commandDeadline: CommandDeadline(grace: .seconds(60), minimumBytesPerSecond: 500),
                         timers: timers)
    }

    /// One limiter shared by two listeners counts a client address's connections on both: the
    /// per-address limit is not multiplied by the number of ports.
    @Test func perAddressLimitCountsAcrossListeners() async throws {
        let limiter = ConnectionLimiter(limit: 1)
        try await withSMTPListeners(limiter: limiter) { mx, submission in
            try await SMTPTestClient.with(mx) { first in
                try await first.expect("220")
                try await SMTPTestClient.with(submission) { second in
                    try await second.expect("421 4.7.0")
                    #expect(try await second.line() == nil)
                }
                try await first.command("NOOP", "250")
            }
        }
    }

    /// The global cap refuses a connection from a new address (here: the same loopback address,
    /// with a per-address limit that does not bind) once the server holds `total` connections.
    @Test func globalCapRefusesPastTheTotal() async throws {
        let limiter = ConnectionLimiter(limit: 100, total: 2)
        try await withSMTPListeners(limiter: limiter) { mx, submission in
            try await SMTPTestClient.with(mx) { first in
                try await first.expect("220")
                try await SMTPTestClient.with(submission) { second in
                    try await second.expect("220")
                    try await SMTPTestClient.with(mx) { third in
                        let refusal = try await third.expect("421 4.7.0")
                        #expect(!refusal.contains("your address"))
                        #expect(try await third.line() == nil)
                    }
                    try await second.command("NOOP", "250")
                }
                try await first.command("NOOP", "250")
            }
        }
    }
}

/// An MX and a submission listener on 127.0.0.1 port 0 sharing `limiter`, in one `ServiceGroup`.
func withSMTPListeners(limiter: ConnectionLimiter, _ body: (Int, Int) async throws -> Void) async throws {
    var configuration = SMTPConfiguration(hostname: "mx.test", now: { Date(timeIntervalSince1970: 0) })
    configuration.limiter = limiter
    let backend = TestBackend()
    let (ports, continuation) = AsyncStream<(SMTPListenerKind, Int)>.makeStream()
    var logger = Logger(label: "smtp-test")
    logger.logLevel = .critical
    let services = [SMTPListenerKind.mx, .submission].map { kind in
        SMTPService(kind: kind, host: "127.0.0.1", port: 0, configuration: configuration, backend: backend,
                    logger: logger, onBound: { continuation.yield((kind, $0)) })
    }
    let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var bound: [SMTPListenerKind: Int] = [:]
        for await (kind, port) in ports {
            bound[kind] = port
            if bound.count == 2 { break }
        }
        guard let mx = bound[.mx], let submission = bound[.submission] else { throw TestHarnessError.notBound }
        do {
            try await body(mx, submission)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// The "too busy" replies of the session, for both limits.
@Suite struct SMTPAdmissionTests {
    @Test func eachRefusalIs421WithItsReason() {
        let settings = SMTPSession.Settings(hostname: "mx.test", listener: .mx, limits: SMTPLimits(), tlsAvailable: false,
                                            allowPlaintextAuthOnLoopback: false)
        var full = SMTPSession(settings: settings, tls: false, isLoopback: true)
        guard case .close(let busy) = full.connected(.serverFull) else { Issue.record("not closed"); return }
        #expect(busy.code == 421 && busy.enhanced == "4.7.0")
        var crowded = SMTPSession(settings: settings, tls: false, isLoopback: true)
        guard case .close(let perAddress) = crowded.connected(.tooManyFromAddress) else { Issue.record("not closed"); return }
        #expect(perAddress.code == 421 && perAddress.enhanced == "4.7.0")
        #expect(perAddress != busy)
        var admitted = SMTPSession(settings: settings, tls: false, isLoopback: true)
        guard case .reply(let greeting) = admitted.connected(.admitted) else { Issue.record("no greeting"); return }
        #expect(greeting.code == 220)
    }
}
