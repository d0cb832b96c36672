import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Asks rspamd's normal worker (port 11333 by default) for a verdict over its HTTP protocol:
/// `POST /checkv2` with the message as the body and the envelope in header fields
/// (`RspamdRequest`), answered with JSON (`RspamdResult`), through `httpClient`.
struct RspamdClient: Sendable {
    /// One AsyncHTTPClient for the process (pooled keep-alive connections to rspamd), like
    /// `HTTPClient.shared` never shut down, but one that gives up at once when rspamd refuses the
    /// connection: the shared client retries establishing it until its 10 s connect timeout,
    /// which would hold every message that long while rspamd is down. The caller's time limit
    /// (`withFilterTimeout`) bounds the rest.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    var host: String
    var port: Int
    /// AsyncHTTPClient's own deadline, a backstop behind the caller's `withFilterTimeout`.
    var timeout: Duration

    /// A reply is a few kilobytes; a body beyond this is no rspamd reply.
    static let maximumReplyLength = 1 << 20

    func check(_ message: [UInt8], fields: [(String, String)]) async throws -> RspamdResult {
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var request = HTTPClientRequest(url: "http://\(authority)/checkv2")
        request.method = .POST
        for (name, value) in fields { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: message))
        let body: ByteBuffer
        do {
            let response = try await Self.httpClient.execute(
                request, timeout: .nanoseconds(timeout.components.seconds * 1_000_000_000
                    + timeout.components.attoseconds / 1_000_000_000))
            guard response.status == .ok else {
                throw FilterFailure("rspamd at \(authority) answered HTTP \(response.status.code)")
            }
            body = try await response.body.collect(upTo: Self.maximumReplyLength)
        } catch let failure as FilterFailure {
            throw failure
        } catch {
            throw FilterFailure("rspamd at \(authority) cannot be asked: \(error)")
        }
        return try RspamdResult(json: Array(body.readableBytesView))
    }
}
