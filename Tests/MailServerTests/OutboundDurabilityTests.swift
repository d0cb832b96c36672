import Catalog
import Foundation
import Logging
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer
#if canImport(Glibc)
import Glibc
#endif

/// The outbound queue survives `kill -9`. The real `tresor serve` queues twenty
/// submitted messages for a domain whose server is down, is killed with SIGKILL, and restarts
/// once that server is up: every message arrives, none twice.
@Suite struct OutboundDurabilityTests {
    /// Submits `count` messages as alice over one smtplib session; prints the Message-IDs.
    static let client = #"""
import smtplib, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', timeout=30)
s.login('alice@localhost', 'pw')
for i in range(count):
    mid = 'q%d@durable.test' % i
    body = ('From: <alice@localhost>\r\nTo: <bob@b.test>\r\nSubject: queued %d\r\n'
            'Message-ID: <%s>\r\n\r\n' % (i, mid) + 'line\r\n' * (5 + i)).encode()
    s.sendmail('alice@localhost', ['bob@b.test'], body)
    print(mid)
s.quit()
"""#

    /// A port that was free a moment ago (bound on 0 and closed).
    static func reservePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func queuedMessagesSurviveKill9AndAreDeliveredOnce() async throws {
        try await withTemporaryDirectory { folder in
            let count = 20
            let dataA = try await ServerHarness.makeDataDirectory(in: folder.appendingPathComponent("a"),
                                                                  users: [("alice@localhost", "pw")])
            let dataB = folder.appendingPathComponent("b", isDirectory: true)
            let initialised = try CommandRunner.run("tresor", ["init", "--data-dir", dataB.path])
            try #require(initialised.status == 0, "\(initialised.stderr)")
            do {
                let store = try MailStore(dataDirectory: dataB)
                defer { store.close() }
                try await store.accounts.addDomain("b.test", by: .system("test"))
                try await store.accounts.addUser("bob@b.test", password: "pw", by: .system("test"))
            }
            let portB = try Self.reservePort()
            let config = folder.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "a/data", hostname: "mx.a.test", tables: """
                [delivery]
                retry_schedule = ["1s"]

                [delivery.routes]
                "b.test" = "127.0.0.1:\(portB)"
                """).utf8).write(to: config)

            // B is down: every attempt is refused and the rows wait in A's queue.
            let first = try await ServeProcess.start(config: config, logLevel: "warning")
            let output = try await ChildProcess.python(Self.client, [String(first.ports["submission"]!), String(count)])
            let ids = output.split(separator: "\n").map(String.init)
            try #require(ids.count == count, "submitted: \(output)")
            try await Task.sleep(for: .milliseconds(500))
            kill(first.process.processIdentifier, SIGKILL)
            #expect(await first.exit() == SIGKILL)
            do {
                let store = try MailStore(dataDirectory: dataA)
                defer { store.close() }
                let rows = try await store.queue.list()
                #expect(rows.count == count && !rows.contains { $0.status == "delivered" }, "\(rows.map(\.status))")
            }

            // B comes up on the port A routes to; A restarts and drains its queue.
            var configurationB = ServerHarness.configuration()
            configurationB.hostname = "mx.b.test"
            configurationB.domains = ["b.test"]
            configurationB.smtp.port = portB
            let b = MailServer(configuration: configurationB, dataDirectory: dataB,
                               logger: Logger(label: "tresor.test.b"), handleSignals: false)
            let (bound, ready) = AsyncStream<BoundPorts>.makeStream()
            let running = Task { try await b.run(onReady: { ready.yield($0); ready.finish() }) }
            for await _ in bound {}
            let second = try await ServeProcess.start(config: config, logLevel: "warning")

            let reader = try MailStore(dataDirectory: dataB)
            var arrived = 0
            // A bound, not a timing claim: B runs in this test process, which other suites load.
            let deadline = Date().addingTimeInterval(180)
            while Date() < deadline {
                arrived = try await reader.mailboxes.messages(in: "INBOX", of: "bob@b.test").count
                if arrived >= count { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            // Anything sent twice would arrive within a few more retries.
            try await Task.sleep(for: .seconds(2))
            let inbox = try await reader.mailboxes.messages(in: "INBOX", of: "bob@b.test")
            var copies: [String: Int] = [:]
            for id in ids {
                copies[id] = try await reader.catalog.messages.search(try SearchQuery(parsing: "message-id:\(id)")).count
            }
            reader.close()
            kill(second.process.processIdentifier, SIGTERM)
            #expect(await second.exit() == 0)
            await b.shutdown()
            try await running.value

            #expect(inbox.count == count, "bob has \(inbox.count) of \(count)")
            #expect(copies.values.allSatisfy { $0 == 1 }, "copies per Message-ID: \(copies.filter { $0.value != 1 })")
            let store = try MailStore(dataDirectory: dataA)
            defer { store.close() }
            let rows = try await store.queue.list()
            #expect(rows.count == count && rows.allSatisfy { $0.status == "delivered" }, "\(rows.map(\.status))")
        }
    }
}
