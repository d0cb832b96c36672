import Delivery
import Foundation
import MailStore
import Testing
import TestSupport

/// `kill -9` of the real `tresor serve` while the remote server is still receiving a message
/// (it has not said 250): after the restart that message is sent again and every message reaches
/// the remote exactly once.
@Suite struct OutboundKillTests {
    @Test func killedMidSendDeliversEveryMessageOnce() async throws {
        guard try SMTPSink.available() else { return }
        try await withTemporaryDirectory { folder in
            let count = 3
            let sinkFolder = folder.appendingPathComponent("sink")
            try FileManager.default.createDirectory(at: sinkFolder, withIntermediateDirectories: true)
            // The sink holds each DATA 5 s before its 250: the kill must land inside that window
            // however slowly a loaded machine runs the test's poll, so the window is wide.
            let sink = try await SMTPSink.start(in: sinkFolder, slowSeconds: 5)
            defer { Task { await sink.stop() } }
            _ = try await RunningServer.makeDataDirectory(folder.appendingPathComponent("data"), domain: "a.test",
                                                          users: ["anna@a.test"])
            let config = folder.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.a.test", tables: """
                [delivery]
                retry_schedule = ["1s"]

                [delivery.routes]
                "sink.test" = "127.0.0.1:\(sink.port)"
                """).utf8).write(to: config)

            let first = try await ServeProcess.start(config: config)
            defer { first.killIfRunning() }
            let host = OutboundHost(name: "127.0.0.1", port: first.ports["submission"]!,
                                    credentials: SMTPCredentials(user: "anna@a.test", password: "pw"))
            try await SMTPClientSession.with(host: host, localName: "client.test") { session in
                for n in 0..<count {
                    let outcome = try await session.send(OutboundTransaction(
                        mailFrom: "anna@a.test", recipients: ["slow@sink.test"], content: Array("""
                            From: <anna@a.test>\r
                            To: <slow@sink.test>\r
                            Subject: kill \(n)\r
                            Message-ID: <kill\(n)@a.test>\r
                            \r
                            body \(n)\r

                            """.utf8)))
                    #expect(outcome.replies.map(\.code) == [250])
                }
            }
            // Kill while the sink holds the first message's DATA, before its 250.
            #expect(try await eventually(20) { try sink.entries().contains { $0.outcome == "receiving" } })
            #expect(await first.stop(SIGKILL) == SIGKILL)

            let second = try await ServeProcess.start(config: config)
            defer { second.killIfRunning() }
            let delivered = try await eventually(90) { try sink.accepted().count >= count }
            try await Task.sleep(for: .seconds(2))
            await second.stop(SIGTERM)

            let entries = try sink.entries()
            #expect(delivered, "\(entries.map(\.outcome))")
            #expect(entries.contains { $0.outcome == "aborted" }, "the kill came before a 250: \(entries.map(\.outcome))")
            var copies: [String: Int] = [:]
            for entry in try sink.accepted() {
                let id = entry.message.components(separatedBy: "Message-ID: <").dropFirst().first?
                    .components(separatedBy: ">").first ?? "?"
                copies[id, default: 0] += 1
            }
            #expect(copies == Dictionary(uniqueKeysWithValues: (0..<count).map { ("kill\($0)@a.test", 1) }), "\(copies)")
        }
    }
}
