import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer
#if canImport(Glibc)
import Glibc
#endif

/// A content filter that dies in the middle of a message: it takes the connection, reads part of
/// what Tresor streams to it, and resets the connection. Whatever the fail mode decides, a message
/// that got 250 is archived and placed, and one that got 451 left nothing behind.
@Suite struct FilterCrashTests {
    /// Reads up to 64 bytes of each request, then closes with SO_LINGER 0 (a TCP reset, as when
    /// the filter process is killed mid-scan).
    static let crashingScript = #"""
        import socket, struct
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        print(listener.getsockname()[1], flush=True)
        while True:
            connection, _ = listener.accept()
            try:
                connection.recv(64)
            except OSError:
                pass
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
        """#

    struct CrashingFilter {
        let process: SpawnedProcess
        let port: Int

        static func start() async throws -> CrashingFilter {
            let process = SpawnedProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", FilterCrashTests.crashingScript]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.standardError
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let line = await ChildProcess.read(out.fileHandleForReading) { $0.contains("\n") }
            guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                await ChildProcess.stop(process, signal: SIGKILL)
                throw FilterDaemons.NotStarted(name: "crashing filter")
            }
            return CrashingFilter(process: process, port: port)
        }

        func stop() async { await ChildProcess.stop(process, signal: SIGKILL) }
    }

    /// A long message, so that the filter dies with most of it still unsent.
    static func message(id: String) -> [UInt8] {
        FilterClient.message(id: id, subject: "long", body: String(repeating: "a line of the long message\r\n", count: 4000))
    }

    @Test func clamdDyingMidMessageDefersOrAcceptsAndLosesNothing() async throws {
        let filter = try await CrashingFilter.start()
        defer { Task { await filter.stop() } }
        let endpoint = FilterEndpoint.tcp(host: "127.0.0.1", port: filter.port)
        let users = AntivirusEndToEndTests.users
        try await ServerHarness.with(users: users, configuration: AntivirusEndToEndTests.configuration(clamd: endpoint)) { harness in
            let reply = try await FilterClient.send(Self.message(id: "av-crash-defer@crash.test"), to: harness)
            #expect(reply.code == 451, "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("av-crash-defer@crash.test", in: store)
            #expect(placed.archived == 0, "\(placed)")
        }
        let accepting = AntivirusEndToEndTests.configuration(clamd: endpoint, fail: .accept)
        try await ServerHarness.with(users: users, configuration: accepting) { harness in
            let reply = try await FilterClient.send(Self.message(id: "av-crash-accept@crash.test"), to: harness)
            #expect(reply.code == 250, "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("av-crash-accept@crash.test", in: store)
            #expect(placed.archived == 1 && placed.mailboxes == ["alice@localhost/INBOX"], "\(placed)")
        }
    }

    @Test func rspamdDyingMidMessageAcceptsOrDefersAndLosesNothing() async throws {
        let filter = try await CrashingFilter.start()
        defer { Task { await filter.stop() } }
        let users = SpamFilterEndToEndTests.users
        try await ServerHarness.with(users: users, configuration: SpamFilterEndToEndTests.configuration(rspamd: filter.port)) { harness in
            let reply = try await FilterClient.send(Self.message(id: "spam-crash-accept@crash.test"), to: harness)
            #expect(reply.code == 250, "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("spam-crash-accept@crash.test", in: store)
            #expect(placed.archived == 1 && placed.mailboxes == ["alice@localhost/INBOX"], "\(placed)")
        }
        let deferring = SpamFilterEndToEndTests.configuration(rspamd: filter.port, fail: .defer)
        try await ServerHarness.with(users: users, configuration: deferring) { harness in
            let reply = try await FilterClient.send(Self.message(id: "spam-crash-defer@crash.test"), to: harness)
            #expect(reply.code == 451, "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("spam-crash-defer@crash.test", in: store)
            #expect(placed.archived == 0, "\(placed)")
        }
    }
}
