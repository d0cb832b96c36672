import Logging
import MailStore
import NIOCore
import NIOHTTP1
import NIOPosix
import ServerKit
import ServiceLifecycle

/// `[metrics]`: the HTTP/1.1 endpoint Prometheus scrapes, plain SwiftNIO with NIOHTTP1, started
/// with the mail listeners and stopped with them. `GET /metrics` (or `HEAD`) answers 200 with the
/// text exposition format; any other path 404, any other method 405. One request per connection
/// (`Connection: close`): a scraper connects every few seconds, so keep-alive buys nothing and a
/// request body is never read. The work of a scrape (a catalog read) runs in the connection's task,
/// not on the event loop.
struct MetricsService: Service {
    let host: String
    let port: Int
    let metrics: ServerMetrics
    let store: MailStore
    let limiter: ConnectionLimiter
    let logger: Logger
    let onBound: @Sendable (Int) -> Void

    /// The Prometheus text format's media type (exposition format 0.0.4).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A scrape takes milliseconds; a connection still open after this is closed, so an idle or
    /// trickling client can neither pile up connections nor hold up the server's shutdown.
    static let connectionLifetime: TimeAmount = .seconds(10)

    func run() async throws {
        let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        channel.eventLoop.scheduleTask(in: Self.connectionLifetime) { channel.close(promise: nil) }
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw ListenerBindError(listener: "metrics", host: host, port: port, underlying: error)
        }
        let boundPort = server.channel.localAddress?.port ?? port
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(boundPort)"])
        onBound(boundPort)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections.cancelOnGracefulShutdown() {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let head): request = head
                    case .body: continue
                    case .end:
                        guard let head = request else { return }
                        try await respond(to: head, outbound: outbound)
                        return
                    }
                }
            }
        } catch {
            logger.debug("metrics connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func respond(to head: HTTPRequestHead, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>)
        async throws
    {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let status: HTTPResponseStatus
        var body: [UInt8]
        var contentType = "text/plain; charset=utf-8"
        if path != "/metrics" {
            status = .notFound
            body = Array("not found: scrape /metrics\n".utf8)
        } else if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
            body = Array("use GET\n".utf8)
        } else {
            status = .ok
            body = await metrics.render(store: store, limiter: limiter, logger: logger)
            contentType = Self.contentType
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        if head.method == .HEAD { body = [] }
        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: headers)))
        if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
        try await outbound.write(.end(nil))
    }
}
