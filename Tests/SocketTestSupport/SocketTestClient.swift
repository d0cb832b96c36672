import NIOCore
import NIOPosix
import NIOSSL

/// A raw TCP client for protocol tests, the way a mail client talks to a server on 127.0.0.1:
/// sends text or bytes, reads lines (with their CRLF) and counted bytes, and can start TLS in
/// place (STARTTLS, STLS). Each protocol's tests add their own response readers on top.
public struct SocketTestClient {
    public let channel: any Channel
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer = ByteBuffer()

    /// Connects to 127.0.0.1:`port`, runs `body`, closes.
    @discardableResult
    public static func with<T>(_ port: Int, _ body: (inout SocketTestClient) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var client = SocketTestClient(channel: channel.channel, iterator: inbound.makeAsyncIterator(),
                                          outbound: outbound)
            return try await body(&client)
        }
    }

    private init(channel: any Channel, iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                 outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.channel = channel
        self.iterator = iterator
        self.outbound = outbound
    }

    public func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    public func send(bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Puts a TLS client handler in front (no certificate check: test servers are self-signed).
    public func startTLS() async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let handler = try NIOSSLClientHandler(context: NIOSSLContext(configuration: configuration),
                                                  serverHostname: nil)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    /// The next line with its line end, as bytes; nil when the server closed.
    public mutating func lineBytes() async throws -> [UInt8]? {
        while true {
            let view = buffer.readableBytesView
            if let lf = view.firstIndex(of: UInt8(ascii: "\n")) {
                return buffer.readBytes(length: lf - view.startIndex + 1)
            }
            guard var more = try await iterator.next() else { return nil }
            buffer.writeBuffer(&more)
        }
    }

    /// The next line with its line end; nil when the server closed.
    public mutating func line() async throws -> String? {
        try await lineBytes().map { String(decoding: $0, as: UTF8.self) }
    }

    /// `count` bytes, or fewer if the server closed first.
    public mutating func bytes(_ count: Int) async throws -> [UInt8] {
        while buffer.readableBytes < count {
            guard var more = try await iterator.next() else { break }
            buffer.writeBuffer(&more)
        }
        return buffer.readBytes(length: min(count, buffer.readableBytes)) ?? []
    }
}
