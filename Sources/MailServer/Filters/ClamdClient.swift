import NIOCore
import NIOPosix

/// A client of ClamAV's clamd for one scan per connection, with the INSTREAM command of
/// clamd(8): `zINSTREAM\0`, then the message in chunks, each a 4-byte big-endian (network
/// order) length and that many bytes, then a zero length; clamd answers one NUL-terminated line
/// (`ClamdReply`) and closes. clamd refuses a stream longer than its `StreamMaxLength` with an
/// error, which the caller treats as no verdict.
struct ClamdClient: Sendable {
    var endpoint: FilterEndpoint
    /// The bound on connecting; the caller's overall time limit (`withFilterTimeout`) covers the rest.
    var connectTimeout: Duration

    /// Chunks well below clamd's `StreamMaxLength` (25 MiB by default) and its `MaxFileSize`.
    static let chunkSize = 64 * 1024
    /// clamd's reply is one short line: a signature name is at most a few hundred bytes.
    static let maximumReplyLength = 4096

    /// Scans `message`. Throws `FilterFailure` when clamd cannot be reached, closes without an
    /// answer, or the task is cancelled (the connection is closed at once).
    func scan(_ message: [UInt8]) async throws -> ClamdReply {
        let channel = try await connect()
        let raw = channel.channel
        return try await withTaskCancellationHandler {
            try await channel.executeThenClose { inbound, outbound in
                do {
                    try await outbound.write(ByteBuffer(bytes: Array("zINSTREAM\0".utf8)))
                    var offset = 0
                    while offset < message.count {
                        let end = min(offset + Self.chunkSize, message.count)
                        var chunk = ByteBuffer()
                        chunk.reserveCapacity(4 + end - offset)
                        chunk.writeInteger(UInt32(end - offset), endianness: .big)
                        chunk.writeBytes(message[offset..<end])
                        try await outbound.write(chunk)
                        offset = end
                    }
                    var terminator = ByteBuffer()
                    terminator.writeInteger(UInt32(0), endianness: .big)
                    try await outbound.write(terminator)
                } catch {
                    // clamd closes early when the stream passes StreamMaxLength; either way there
                    // is no verdict.
                    throw FilterFailure("clamd at \(endpoint) stopped reading the message: \(error)")
                }
                var reply: [UInt8] = []
                for try await buffer in inbound {
                    reply.append(contentsOf: buffer.readableBytesView)
                    if reply.contains(0) || reply.count > Self.maximumReplyLength { break }
                }
                guard !reply.isEmpty else { throw FilterFailure("clamd at \(endpoint) closed without an answer") }
                return ClamdReply(parsing: reply.prefix { $0 != 0 }.prefix(Self.maximumReplyLength))
            }
        } onCancel: {
            raw.close(promise: nil)
        }
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(connectTimeout.components.seconds * 1_000_000_000
                + connectTimeout.components.attoseconds / 1_000_000_000))
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        do {
            switch endpoint {
            case .tcp(let host, let port):
                return try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
            case .unixSocket(let path):
                return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            }
        } catch {
            throw FilterFailure("clamd at \(endpoint) cannot be reached: \(error)")
        }
    }
}
