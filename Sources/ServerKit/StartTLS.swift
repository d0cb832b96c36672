import NIOCore
import NIOSSL

/// Counts the bytes that reach the protocol handler, so that STARTTLS can tell whether the client
/// pipelined plaintext after the command. Installed first in every connection's pipeline; after
/// the upgrade it sits behind the TLS handler and counts decrypted bytes, which nobody asks about.
public final class InboundByteCounter: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    /// Bytes passed on since the connection opened. Only read or written on the event loop.
    public private(set) var forwardedBytes = 0

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        forwardedBytes += unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }
}

/// Why a STARTTLS upgrade was refused.
public enum StartTLSError: Error, Hashable, Sendable {
    /// The client sent plaintext after STARTTLS before the handshake (CVE-2011-0411): such bytes
    /// would be read as if they came over TLS, so the connection must close instead.
    case plaintextPipelined
}

/// STARTTLS (RFC 3207 §4, RFC 2595 §3.1): send the positive reply in plaintext, then put the TLS
/// handler in front of the pipeline, all in one event-loop turn so that no byte slips in between.
///
/// `consumedBytes` is how many bytes the session has taken from its inbound stream; if the counter
/// forwarded more, plaintext is waiting after the command and the upgrade is refused (the caller
/// closes without sending the reply). Bytes still in the session's own framer must be checked by
/// the caller before calling this.
public func startTLS(
    on channel: any Channel, tls: ServerTLS, reply: ByteBuffer, consumedBytes: Int
) async throws {
    let context = tls.context
    try await channel.eventLoop.submit {
        let operations = channel.pipeline.syncOperations
        let counter = try operations.handler(type: InboundByteCounter.self)
        guard counter.forwardedBytes == consumedBytes else { throw StartTLSError.plaintextPipelined }
        channel.writeAndFlush(reply, promise: nil)
        try operations.addHandler(NIOSSLServerHandler(context: context), position: .first)
    }.get()
}
