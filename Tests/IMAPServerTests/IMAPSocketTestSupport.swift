import IMAPServer
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServerKit
import ServiceLifecycle
import Testing

/// A raw socket client: sends text, reads lines and whole tagged responses (with literals).
struct IMAPTestClient {
    let channel: any Channel
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer = ByteBuffer()

    static func with(_ port: Int, _ body: (inout IMAPTestClient) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var client = IMAPTestClient(channel: channel.channel, iterator: inbound.makeAsyncIterator(), outbound: outbound)
            try await body(&client)
        }
    }

    private init(channel: any Channel, iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                 outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.channel = channel
        self.iterator = iterator
        self.outbound = outbound
    }

    func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Puts a TLS client handler in front (certificates not verified: a test certificate).
    func startTLS() async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let handler = try NIOSSLClientHandler(context: NIOSSLContext(configuration: configuration), serverHostname: nil)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    /// The next line with its CRLF; nil when the server closed.
    mutating func line() async throws -> String? {
        while true {
            let view = buffer.readableBytesView
            if let lf = view.firstIndex(of: UInt8(ascii: "\n")) {
                return buffer.readString(length: lf - view.startIndex + 1)
            }
            guard var more = try await iterator.next() else { return nil }
            buffer.writeBuffer(&more)
        }
    }

    /// Exactly `count` bytes as text.
    mutating func bytes(_ count: Int) async throws -> String? {
        while buffer.readableBytes < count {
            guard var more = try await iterator.next() else { return nil }
            buffer.writeBuffer(&more)
        }
        return buffer.readString(length: count)
    }

    /// Everything up to and including the line starting with `tag `, literals included.
    mutating func response(_ tag: String) async throws -> String {
        var text = ""
        while let line = try await line() {
            text += line
            if line.hasPrefix(tag + " ") { break }
            if let literal = Self.literalLength(line), let data = try await bytes(literal) { text += data }
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
