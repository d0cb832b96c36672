import NIOCore
import NIOPosix

/// Asks one server one question: a UDP datagram first, TCP when the answer came back truncated
/// (RFC 1035 §4.2.1, RFC 7766 §5), each within `timeout`. All socket work runs on NIO's event
/// loops; nothing here blocks a thread.
///
/// An answer is taken only if it carries the query's ID, is a response and repeats the question
/// (RFC 5452 §4.3); anything else arriving on the socket is dropped and the wait goes on.
struct DNSTransport: Sendable {
    let group: any EventLoopGroup

    enum Failure: Error, Sendable, CustomStringConvertible {
        case timeout(ResolverAddress)
        case network(ResolverAddress, String)
        case badAddress(ResolverAddress)

        var description: String {
            switch self {
            case .timeout(let server): "no answer from \(server)"
            case .network(let server, let why): "\(server): \(why)"
            case .badAddress(let server): "\(server.host) is not an IP address"
            }
        }
    }

    func exchange(_ query: DNSMessage, with server: ResolverAddress, timeout: Duration) async throws(Failure) -> DNSMessage {
        let address: SocketAddress
        do { address = try SocketAddress(ipAddress: server.host, port: server.port) } catch { throw .badAddress(server) }
        let bytes: [UInt8]
        do { bytes = try query.encoded() } catch { throw .network(server, "\(error)") }
        let matches = DNSResponseMatcher(query: query)
        switch try await overUDP(bytes, to: address, server: server, matches: matches, timeout: timeout) {
        case .answer(let message): return message
        case .truncated: return try await overTCP(bytes, to: address, server: server, matches: matches, timeout: timeout)
        }
    }

    // MARK: - UDP

    private func overUDP(_ bytes: [UInt8], to address: SocketAddress, server: ResolverAddress,
                         matches: DNSResponseMatcher, timeout: Duration) async throws(Failure) -> DatagramOutcome {
        let loop = group.next()
        let promise = loop.makePromise(of: DatagramOutcome.self)
        do {
            // A connected socket: the kernel drops datagrams from other peers, and an ICMP port
            // unreachable comes back as ECONNREFUSED, so a dead server fails at once.
            let channel = try await DatagramBootstrap(group: loop)
                // Room for any answer to our EDNS offer of 1232 bytes, and for servers that ignore it.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramResponseHandler(promise: promise, matches: matches))
                    }
                }
                .connect(to: address).get()
            defer { channel.close(promise: nil) }
            let buffer = channel.allocator.buffer(bytes: bytes)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
            return try await Self.await(promise, on: loop, timeout: timeout)
        } catch let failure as DNSTransport.Failure {
            throw failure
        } catch is DNSTransportTimeout {
            throw .timeout(server)
        } catch {
            promise.fail(error)
            throw .network(server, "\(error)")
        }
    }

    enum DatagramOutcome: Sendable {
        case answer(DNSMessage)
        case truncated
    }

    // MARK: - TCP

    private func overTCP(_ bytes: [UInt8], to address: SocketAddress, server: ResolverAddress,
                         matches: DNSResponseMatcher, timeout: Duration) async throws(Failure) -> DNSMessage {
        let loop = group.next()
        let promise = loop.makePromise(of: DNSMessage.self)
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSStreamFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(StreamResponseHandler(promise: promise, matches: matches))
                    }
                }
                .connect(to: address).get()
            defer { channel.close(promise: nil) }
            channel.writeAndFlush(DNSStreamFraming.frame(bytes, allocator: channel.allocator), promise: nil)
            return try await Self.await(promise, on: loop, timeout: timeout)
        } catch is DNSTransportTimeout {
            throw .timeout(server)
        } catch {
            promise.fail(error)
            throw .network(server, "\(error)")
        }
    }

    // MARK: -

    /// Waits for `promise`, failing it after `timeout` or when the task is cancelled.
    private static func await<Value: Sendable>(_ promise: EventLoopPromise<Value>, on loop: any EventLoop,
                                               timeout: Duration) async throws -> Value {
        let timer = loop.scheduleTask(in: TimeAmount(timeout)) { promise.fail(DNSTransportTimeout()) }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }
}

struct DNSTransportTimeout: Error {}

/// RFC 5452 §4.3: the same ID, a response, the same question (names compared without case).
struct DNSResponseMatcher: Sendable {
    let query: DNSMessage

    func accepts(_ response: DNSMessage) -> Bool {
        response.id == query.id && response.isResponse && response.questions == query.questions
    }
}

/// Completes the promise with the first matching datagram; a datagram with the right ID and TC=1
/// counts even when its records are cut off.
private final class DatagramResponseHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let promise: EventLoopPromise<DNSTransport.DatagramOutcome>
    private let matches: DNSResponseMatcher

    init(promise: EventLoopPromise<DNSTransport.DatagramOutcome>, matches: DNSResponseMatcher) {
        self.promise = promise
        self.matches = matches
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
        if let message = try? DNSMessage(decoding: bytes), matches.accepts(message) {
            promise.succeed(message.isTruncated ? .truncated : .answer(message))
        } else if let header = DNSMessage.header(of: bytes), header.id == matches.query.id, header.isResponse,
                  header.isTruncated {
            promise.succeed(.truncated)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
    }
}

private final class StreamResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<DNSMessage>
    private let matches: DNSResponseMatcher

    init(promise: EventLoopPromise<DNSMessage>, matches: DNSResponseMatcher) {
        self.promise = promise
        self.matches = matches
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        if let message = try? DNSMessage(decoding: bytes), matches.accepts(message) {
            promise.succeed(message)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
    }
}
