import IMAPServer
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServerKit
import SocketTestSupport
import ServiceLifecycle
import Testing

/// The raw socket client of every protocol test, with IMAP's tagged responses (literals included).
typealias IMAPTestClient = SocketTestClient

extension SocketTestClient {
    /// Everything up to and including the line starting with `tag `, literals included.
    mutating func response(_ tag: String) async throws -> String {
        var text = ""
        while let line = try await line() {
            text += line
            if line.hasPrefix(tag + " ") { break }
            if let literal = Self.literalLength(line) {
                let data = try await bytes(literal)
                guard data.count == literal else { break }
                text += String(decoding: data, as: UTF8.self)
            }
        }
        return text
    }

    /// Sends a command and reads its response.
    mutating func command(_ tag: String, _ command: String) async throws -> String {
        try await send("\(tag) \(command)\r\n")
        return try await response(tag)
    }

    static func literalLength(_ line: String) -> Int? {
        guard line.hasSuffix("}\r\n"), let open = line.lastIndex(of: "{") else { return nil }
        return Int(line[line.index(after: open)..<line.index(line.endIndex, offsetBy: -3)])
    }
}

/// Runs an `IMAPService` on 127.0.0.1 port 0 inside a `ServiceGroup`.
func withIMAPServer(
    backend: MemoryIMAPBackend = MemoryIMAPBackend(), configure: (inout IMAPConfiguration) -> Void = { _ in },
    _ body: (Int, MemoryIMAPBackend) async throws -> Void
) async throws {
    var configuration = IMAPConfiguration(serverName: "imap.test", allowPlaintextAuthOnLoopback: true)
    configure(&configuration)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "imap-test")
    logger.logLevel = .critical
    let service = IMAPService(kind: .plain, host: "127.0.0.1", port: 0, configuration: configuration, backend: backend,
                              logger: logger, onBound: { continuation.yield($0) })
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
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

func imapTestTLS() throws -> ServerTLS {
    let generated = try SelfSignedCertificate.generate(hostname: "imap.test")
    return try ServerTLS(certificatePEM: generated.certificatePEM, keyPEM: generated.keyPEM)
}
