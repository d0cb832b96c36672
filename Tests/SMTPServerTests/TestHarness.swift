import Foundation
import TestSupport
import Logging
import NIOCore
import NIOPosix
import ServerKit
import ServiceLifecycle
import SMTPServer
import Synchronization
import SocketTestSupport
import Testing

/// An in-memory backend: users alice@example.test (password "secret") and bob@example.test;
/// local domain example.test; everything delivered is kept.
final class TestBackend: SMTPBackend {
    struct Delivery: Sendable { var envelope: SMTPEnvelope; var message: [UInt8]; var session: SMTPSessionInfo }
    private let store = Mutex<[Delivery]>([])

    var deliveries: [Delivery] { store.withLock { $0 } }

    func authenticate(username: String, password: String, session: SMTPSessionInfo) async -> String? {
        username == "alice@example.test" && password == "secret" ? "alice@example.test" : nil
    }

    func checkSender(_ reversePath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        if let user = session.authenticatedUser, reversePath != user {
            return .reject(SMTPReply(553, "5.7.1", "Sender address not owned by \(user)"))
        }
        return .accept
    }

    func checkRecipient(_ forwardPath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        if session.authenticatedUser != nil { return .accept }
        let parts = forwardPath.split(separator: "@")
        guard parts.count == 2, parts[1] == "example.test" else {
            return .reject(SMTPReply(554, "5.7.1", "Relay access denied"))
        }
        guard parts[0] == "alice" || parts[0] == "bob" else { return .reject(SMTPReply(550, "5.1.1", "User unknown")) }
        return .accept
    }

    func deliver(envelope: SMTPEnvelope, message: [UInt8], session: SMTPSessionInfo) async -> SMTPReply {
        store.withLock { $0.append(Delivery(envelope: envelope, message: message, session: session)) }
        return SMTPReply(250, "2.0.0", "Queued as \(envelope.id)")
    }
}

/// Runs an `SMTPService` on 127.0.0.1 port 0 inside a `ServiceGroup`, then shuts it down gracefully.
func withSMTPServer(
    _ kind: SMTPListenerKind = .mx, configure: (inout SMTPConfiguration) -> Void = { _ in },
    proxyProtocol: ProxyProtocol? = nil, _ body: (Int, TestBackend) async throws -> Void
) async throws {
    var configuration = SMTPConfiguration(hostname: "mx.test", now: { Date(timeIntervalSince1970: 0) })
    configure(&configuration)
    let backend = TestBackend()
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "smtp-test")
    logger.logLevel = .critical
    var service = SMTPService(kind: kind, host: "127.0.0.1", port: 0, configuration: configuration, backend: backend,
                              logger: logger, onBound: { continuation.yield($0) })
    service.listener.proxyProtocol = proxyProtocol
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestHarnessError.notBound }
        do {
            try await body(port, backend)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

enum TestHarnessError: Error { case notBound, closed }

/// The raw socket client of every protocol test, with SMTP's (multi-line) replies.
typealias SMTPTestClient = SocketTestClient

extension SocketTestClient {
    /// The next full reply, lines joined with "\n", without CRLFs; nil when the server closed.
    mutating func reply() async throws -> String? {
        var lines: [String] = []
        while let bytes = try await lineBytes() {
            let line = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "")
            lines.append(line)
            let text = Array(line.utf8)
            if text.count < 4 || text[3] == UInt8(ascii: " ") { return lines.joined(separator: "\n") }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// Reads a reply and checks that it starts with `prefix`.
    @discardableResult
    mutating func expect(_ prefix: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let reply = try await self.reply()
        #expect(reply?.hasPrefix(prefix) == true, "expected \(prefix), got \(reply ?? "<closed>")", sourceLocation: sourceLocation)
        return reply ?? ""
    }

    /// Sends a line with CRLF and expects a reply starting with `prefix`.
    @discardableResult
    mutating func command(_ line: String, _ prefix: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        try await send(line + "\r\n")
        return try await expect(prefix, sourceLocation: sourceLocation)
    }
}

/// Runs python3 with a script; returns (exit status, stdout + stderr). Waits without blocking a
/// thread of the concurrency pool (it has two threads here, and the server under test needs them).
func runPython(_ script: String, arguments: [String]) async throws -> (Int32, String) {
    let process = SpawnedProcess()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()  // the process has exited: no wait
    return (status, String(decoding: data, as: UTF8.self))
}
