import Logging
import NIOCore
import NIOPosix
import POP3Server
import ServerKit
import SocketTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// An in-memory maildrop for alice (password "secret") with two messages; records every
/// UPDATE and every lock release.
final class MemoryBackend: POP3Backend {
    static let messages: [String: [UInt8]] = [
        "m1": Array("Subject: one\r\n\r\n.dot line\r\nbare lf\nend\r\n".utf8),
        "m2": Array("Subject: two\r\n\r\nbody\r\n".utf8),
    ]
    private struct State { var locked: Set<String> = []; var commits: [[String]] = []; var closes = 0 }
    private let state = Mutex(State())

    var commits: [[String]] { state.withLock { $0.commits } }
    var closes: Int { state.withLock { $0.closes } }
    var isLocked: Bool { state.withLock { !$0.locked.isEmpty } }

    func authenticate(username: String, password: String, session: POP3SessionInfo) async -> String? {
        username == "alice" && password == "secret" ? "alice" : nil
    }

    func openMaildrop(of user: String) async -> POP3MaildropOpening {
        guard state.withLock({ $0.locked.insert(user).inserted }) else { return .inUse }
        return .opened(["m1", "m2"].map { key in
            POP3MessageInfo(key: key, uniqueID: "uid-\(key)",
                            size: POP3MessageEncoding.transmittedSize(of: Self.messages[key]!))
        })
    }

    func content(of message: POP3MessageInfo, user: String) async -> [UInt8]? { Self.messages[message.key] }

    func commitDeletions(_ messages: [POP3MessageInfo], user: String) async -> Bool {
        state.withLock { $0.commits.append(messages.map(\.key)) }
        return true
    }

    func closeMaildrop(of user: String) async {
        state.withLock { state in
            state.locked.remove(user)
            state.closes += 1
        }
    }
}

/// The raw socket client of every protocol test, with POP3's multi-line responses.
typealias POP3TestClient = SocketTestClient

extension SocketTestClient {
    /// Lines up to and including the terminating ".CRLF", exactly as sent.
    mutating func multiline() async throws -> String {
        var text = ""
        while let line = try await line() {
            text += line
            if line == ".\r\n" { break }
        }
        return text
    }
}

/// Runs a `POP3Service` on 127.0.0.1 port 0 inside a `ServiceGroup`.
func withPOP3Server(
    configure: (inout POP3Configuration) -> Void = { _ in },
    _ body: (Int, MemoryBackend, ServiceGroup) async throws -> Void
) async throws {
    var configuration = POP3Configuration(hostname: "pop.test", allowPlaintextOnLoopback: true)
    configure(&configuration)
    let backend = MemoryBackend()
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "pop3-test")
    logger.logLevel = .critical
    let service = POP3Service(kind: .plain, host: "127.0.0.1", port: 0, configuration: configuration, backend: backend,
                              logger: logger, onBound: { continuation.yield($0) })
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            try await body(port, backend, group)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// Waits until `condition` holds: polls every 50 ms, for up to a minute (a loaded machine may take
/// seconds to run the server's side; only a defect takes a minute).
func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<1200 {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

/// The server on real sockets: pipelining, the exact bytes of RETR, and that a dropped
/// connection, a timeout or a shutdown deletes nothing and releases the maildrop.
@Suite struct POP3SocketTests {
    @Test func pipelinedCommandsAreAnsweredInOrderAndRetrSendsStuffedCRLFBytes() async throws {
        try await withPOP3Server { port, backend, _ in
            try await POP3TestClient.with(port) { client in
                #expect(try await client.line() == "+OK pop.test POP3 server ready\r\n")
                try await client.send("USER alice\r\nPASS secret\r\nSTAT\r\nRETR 1\r\nTOP 2 0\r\nDELE 2\r\nQUIT\r\n")
                #expect(try await client.line() == "+OK Send PASS\r\n")
                #expect(try await client.line() == "+OK maildrop has 2 messages (63 octets)\r\n")
                #expect(try await client.line() == "+OK 2 63\r\n")
                #expect(try await client.line() == "+OK 41 octets\r\n")
                #expect(try await client.multiline() == "Subject: one\r\n\r\n..dot line\r\nbare lf\r\nend\r\n.\r\n")
                #expect(try await client.line() == "+OK Top of message follows\r\n")
                #expect(try await client.multiline() == "Subject: two\r\n\r\n.\r\n")
                #expect(try await client.line() == "+OK Message 2 deleted\r\n")
                #expect(try await client.line()?.hasPrefix("+OK pop.test POP3 server signing off") == true)
                #expect(try await client.line() == nil)
            }
            #expect(try await eventually { backend.closes == 1 })
            #expect(backend.commits == [["m2"]])
        }
    }

    @Test func droppedConnectionDeletesNothingAndReleasesTheLock() async throws {
        try await withPOP3Server { port, backend, _ in
            try await POP3TestClient.with(port) { client in
                _ = try await client.line()
                try await client.send("USER alice\r\nPASS secret\r\nDELE 1\r\n")
                for _ in 0..<3 { _ = try await client.line() }
                #expect(backend.isLocked)
                // A second session meanwhile: [IN-USE].
                try await POP3TestClient.with(port) { second in
                    _ = try await second.line()
                    try await second.send("USER alice\r\nPASS secret\r\n")
                    _ = try await second.line()
                    #expect(try await second.line()?.hasPrefix("-ERR [IN-USE] ") == true)
                }
                try await client.channel.close()
            }
            #expect(try await eventually { !backend.isLocked })
            #expect(backend.commits.isEmpty)
        }
    }

    /// RFC 1939 §3: an idle session may be closed (at least ten minutes). Time is driven by hand,
    /// so a loaded machine that answers slowly cannot look idle.
    @Test func idleTimeoutSaysSoDeletesNothingAndReleasesTheLock() async throws {
        let timers = ManualTimers()
        try await withPOP3Server(configure: { $0.timing = ConnectionTiming(timers: timers) }) { port, backend, _ in
            try await POP3TestClient.with(port) { client in
                _ = try await client.line()
                try await client.send("USER alice\r\nPASS secret\r\nDELE 1\r\n")
                for _ in 0..<3 { _ = try await client.line() }
                #expect(timers.advance(by: .seconds(599)) == 0, "nothing fires before the ten minutes")
                // The server arms its wait for the next command after its last answer: move the
                // clock on until that wait has been armed and runs out.
                var fired = 0
                for _ in 0..<500 where fired == 0 {
                    fired = timers.advance(by: .seconds(2))
                    if fired == 0 { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(fired >= 1)
                #expect(try await client.line() == "-ERR Autologout: idle for too long\r\n")
                #expect(try await client.line() == nil)
            }
            #expect(try await eventually { !backend.isLocked })
            #expect(backend.commits.isEmpty)
        }
    }

    @Test func gracefulShutdownClosesIdleSessionsWithoutUpdate() async throws {
        try await withPOP3Server { port, backend, group in
            try await POP3TestClient.with(port) { client in
                _ = try await client.line()
                try await client.send("USER alice\r\nPASS secret\r\nDELE 1\r\n")
                for _ in 0..<3 { _ = try await client.line() }
                await group.triggerGracefulShutdown()
                #expect(try await client.line()?.hasPrefix("-ERR [SYS/TEMP] ") == true)
                #expect(try await client.line() == nil)
            }
            #expect(try await eventually { !backend.isLocked })
            #expect(backend.commits.isEmpty)
        }
    }

    @Test func bareLineFeedIsRefusedNotTakenAsALineEnd() async throws {
        try await withPOP3Server { port, _, _ in
            try await POP3TestClient.with(port) { client in
                _ = try await client.line()
                try await client.send("NOOP\nQUIT\r\n")
                #expect(try await client.line() == "-ERR Lines must end with CRLF\r\n")
            }
        }
    }

    @Test func plaintextPipelinedAfterSTLSClosesTheConnection() async throws {
        let generated = try SelfSignedCertificate.generate(hostname: "pop.test")
        let tls = try ServerTLS(certificatePEM: generated.certificatePEM, keyPEM: generated.keyPEM)
        try await withPOP3Server(configure: { $0.tls = tls }) { port, _, _ in
            try await POP3TestClient.with(port) { client in
                _ = try await client.line()
                try await client.send("STLS\r\nUSER alice\r\n")
                #expect(try await client.line() == nil, "the connection must close without +OK")
            }
        }
    }
}
