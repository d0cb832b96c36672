import NIOCore

/// The first handler of a listener that requires a PROXY header (`ProxyHeader`): holds the
/// connection's first bytes until they make a header, completes `header` with it, passes the bytes
/// after it on and removes itself, so that TLS and the protocol see only the client's own bytes.
/// Bytes that are no header, a header not complete within `timeout` (a bounded wait before anything
/// is served), or a close before one fail `header` and close the connection without a reply: the
/// peer is not the balancer the listener expects, and a reply in the protocol would tell it so.
/// Used only on its channel's event loop.
public final class ProxyHeaderHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private let header: EventLoopPromise<ProxyHeader>
    private let timeout: Duration
    private let timers: any TimerSource
    private var received = ByteBuffer()
    private var timer: TimerHandle?
    private var done = false

    public init(header: EventLoopPromise<ProxyHeader>, timeout: Duration, timers: any TimerSource) {
        self.header = header
        self.timeout = timeout
        self.timers = timers
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let promise = header
        timer = timers.schedule(after: timeout, on: context.eventLoop) {
            promise.fail(ProxyHeaderTimeout())
            channel.close(promise: nil)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        switch ProxyHeader.decode(received.readableBytesView) {
        case .needMoreBytes:
            return
        case .header(let decoded, let length):
            done = true
            timer?.cancel()
            received.moveReaderIndex(forwardBy: length)
            header.succeed(decoded)
            if received.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(received)) }
            received = ByteBuffer()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .invalid(let error):
            done = true
            timer?.cancel()
            header.fail(error)
            context.close(promise: nil)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            timer?.cancel()
            header.fail(ProxyHeaderClosed())
        }
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            timer?.cancel()
            header.fail(error)
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }
}

/// The PROXY header did not arrive within the listener's wait.
public struct ProxyHeaderTimeout: Error, Hashable, Sendable {}

/// The peer closed before its PROXY header was complete.
public struct ProxyHeaderClosed: Error, Hashable, Sendable {}
