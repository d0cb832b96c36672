import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// One accepted connection, as the listener hands it to a protocol.
public struct Connection: Sendable {
    public let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    /// The peer's IP address as text ("127.0.0.1", "::1"), or "unknown".
    public let remoteAddress: String
    /// Whether the peer is this host (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104).
    public let isLoopback: Bool
    /// Whether TLS was negotiated at connect (implicit TLS, RFC 8314 §3.3).
    public let implicitTLS: Bool
    /// Whether the connection limits let it in; if not, the protocol sends its "too busy" reply
    /// and closes.
    public let admission: ConnectionAdmission
}

/// A listener behind a load balancer that sends the PROXY protocol (`ProxyHeader`): every
/// connection must open with a header, whose source address then stands for the client everywhere
/// (logs, audit, the per-address limit, the loopback rules).
public struct ProxyProtocol: Sendable {
    /// The peers that may send a header (the balancers), as IP addresses in text; empty: any peer
    /// (the listener must then be reachable from the balancers only). Others are closed unread.
    public var trusted: [String]
    /// How long a connection may take to send its header before it is closed.
    public var headerTimeout: Duration
    public var timers: any TimerSource

    public init(trusted: [String] = [], headerTimeout: Duration = .seconds(5), timers: any TimerSource = EventLoopTimers()) {
        self.trusted = trusted
        self.headerTimeout = headerTimeout
        self.timers = timers
    }

    /// Whether `peer` (the socket's remote address) may send a header.
    func trusts(_ peer: SocketAddress?) -> Bool {
        guard !trusted.isEmpty else { return true }
        guard let ip = peer?.ipAddress else { return false }
        return trusted.contains { entry in
            (try? SocketAddress(ipAddress: entry, port: 0))?.ipAddress == ip
        }
    }
}

/// An accepted channel, with the PROXY header it will send when its listener requires one.
struct AcceptedChannel: Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    let proxyHeader: EventLoopFuture<ProxyHeader>?
}

/// What a protocol plugs into a `Listener`.
public protocol ConnectionHandler: Sendable {
    /// Serves one connection until it closes. Must catch its own errors.
    func handle(_ connection: Connection, logger: Logger) async
}

/// A TCP listener as a swift-service-lifecycle `Service`: accepts connections and runs each in a
/// child task of a discarding task group. Graceful shutdown stops accepting at once; the service
/// returns when every connection's handler has returned (handlers see the shutdown through
/// `withGracefulShutdownHandler` and finish the work in flight).
public struct Listener: Service {
    public var host: String
    public var port: Int
    /// TLS from the first byte (implicit TLS), or nil for plaintext (which may upgrade later).
    public var implicitTLS: ServerTLS?
    /// Whether connections open with a PROXY header (from a load balancer); nil: they do not, and
    /// a header is the protocol's garbage.
    public var proxyProtocol: ProxyProtocol?
    /// Counts connections per client address and in total; one limiter shared by all of a
    /// server's listeners counts an address's connections on every port together.
    public var limiter: ConnectionLimiter
    public var handler: any ConnectionHandler
    public var logger: Logger
    /// Reports the bound port (what port 0 became).
    public var onBound: @Sendable (Int) -> Void

    public init(
        host: String, port: Int, implicitTLS: ServerTLS? = nil, proxyProtocol: ProxyProtocol? = nil,
        limiter: ConnectionLimiter, handler: any ConnectionHandler, logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.implicitTLS = implicitTLS
        self.proxyProtocol = proxyProtocol
        self.limiter = limiter
        self.handler = handler
        self.logger = logger
        self.onBound = onBound
    }

    /// The listener's name for messages ("imap", "submission"): the `listener` metadata of its
    /// logger, as the server sets it, else "listener".
    public var name: String {
        logger[metadataKey: "listener"].map { "\($0)" } ?? "listener"
    }

    public func run() async throws {
        let tls = implicitTLS
        let proxy = proxyProtocol
        let server: NIOAsyncChannel<AcceptedChannel, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // Wrap inside the initializer, or early reads are lost (STYLE.md, Pitfalls).
                        let operations = channel.pipeline.syncOperations
                        var header: EventLoopFuture<ProxyHeader>?
                        if let proxy {
                            // First of all, before TLS: the balancer sends the header in the clear.
                            let promise = channel.eventLoop.makePromise(of: ProxyHeader.self)
                            try operations.addHandler(ProxyHeaderHandler(
                                header: promise, timeout: proxy.headerTimeout, timers: proxy.timers))
                            header = promise.futureResult
                        }
                        if let tls {
                            // The context of now: after a certificate reload, new connections get the new one.
                            try operations.addHandler(NIOSSLServerHandler(context: tls.context))
                        }
                        try operations.addHandler(InboundByteCounter())
                        return AcceptedChannel(
                            channel: try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel),
                            proxyHeader: header)
                    }
                }
        } catch {
            throw ListenerBindError(listener: name, host: host, port: port, underlying: error)
        }
        let boundPort = server.channel.localAddress?.port ?? port
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(boundPort)"])
        onBound(boundPort)
        let limiter = self.limiter
        let handler = self.handler
        let logger = self.logger
        let implicit = tls != nil
        let name = self.name
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await accepted in connections.cancelOnGracefulShutdown() {
                    let channel = accepted.channel
                    let address = channel.channel.remoteAddress
                    guard let header = accepted.proxyHeader else {
                        let ip = address?.ipAddress ?? "unknown"
                        let admission = limiter.admit(ip)
                        limiter.onAccept(name, admission)
                        let connection = Connection(
                            channel: channel, remoteAddress: ip, isLoopback: address.map(isLoopback) ?? false,
                            implicitTLS: implicit, admission: admission)
                        group.addTask {
                            defer { if admission == .admitted { limiter.release(ip) } }
                            await handler.handle(connection, logger: logger)
                        }
                        continue
                    }
                    guard proxy?.trusts(address) ?? false else {
                        logger.notice("connection from an untrusted proxy closed",
                                      metadata: ["peer": "\(address?.ipAddress ?? "unknown")"])
                        channel.channel.close(promise: nil)
                        continue
                    }
                    group.addTask {
                        // The client is who the header names; the per-address limit counts it.
                        let client: SocketAddress?
                        do {
                            switch try await header.get() {
                            case .local, .unspecified: client = address
                            case .proxied(let source, _): client = source.socketAddress
                            }
                        } catch {
                            logger.notice("connection without a valid PROXY header closed",
                                          metadata: ["peer": "\(address?.ipAddress ?? "unknown")",
                                                     "error": "\(error)"])
                            try? await channel.channel.close()
                            return
                        }
                        let ip = client?.ipAddress ?? "unknown"
                        let admission = limiter.admit(ip)
                        limiter.onAccept(name, admission)
                        defer { if admission == .admitted { limiter.release(ip) } }
                        await handler.handle(Connection(
                            channel: channel, remoteAddress: ip, isLoopback: client.map(isLoopback) ?? false,
                            implicitTLS: implicit, admission: admission), logger: logger)
                    }
                }
            }
            logger.info("stopped accepting", metadata: ["port": "\(boundPort)"])
        }
    }
}

/// A listener could not bind its address: says which listener, where, and why.
/// "imap listener 127.0.0.1:2143: address already in use".
public struct ListenerBindError: Error, CustomStringConvertible {
    public var listener: String
    public var host: String
    public var port: Int
    public var underlying: any Error

    public init(listener: String, host: String, port: Int, underlying: any Error) {
        self.listener = listener
        self.host = host
        self.port = port
        self.underlying = underlying
    }

    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "\(listener) listener \(address): \(reason)"
    }

    /// The system's words for the errno (lower case, as in a sentence), else the error itself.
    var reason: String {
        if let error = underlying as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(underlying)"
    }
}

/// A protocol's listener service: what it adds to `Listener` is only how its configuration
/// becomes one (the handler, TLS, limits), so running it is the same for every protocol.
public protocol ListenerService: Service {
    var listener: Listener { get }
}

extension ListenerService {
    public func run() async throws {
        try await listener.run()
    }
}

/// Whether an address is the local host.
public func isLoopback(_ address: SocketAddress) -> Bool {
    switch address {
    case .v4(let v4):
        return UInt32(bigEndian: v4.address.sin_addr.s_addr) >> 24 == 127
    case .v6(let v6):
        let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        // ::ffff:127.x.y.z, an IPv4 loopback address mapped into IPv6 (RFC 4291 §2.5.5.2)
        return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    case .unixDomainSocket:
        return true
    }
}
