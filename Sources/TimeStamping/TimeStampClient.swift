import AsyncHTTPClient
import NIOCore

/// Asks TSAs for time stamps over HTTP, RFC 3161 §3.4: the DER TimeStampReq is POSTed as
/// `application/timestamp-query`, and the answer is a DER TimeStampResp as
/// `application/timestamp-reply`. A token is returned only after it was verified.
///
/// One `HTTPClient` serves every request of a client (its connections are pooled per TSA);
/// call `shutdown()` once when done (AsyncHTTPClient requires it before the client goes away).
/// Everything runs on NIO's event loops: nothing here blocks a thread of the cooperative pool,
/// and a TSA that cannot be reached costs a failed connection, not a wait (connections are not
/// retried here; the caller decides when to ask again).
public final class TimeStampClient: Sendable {
    /// The most a TSA's answer may be: a token with a certificate chain is a few kilobytes.
    public static let maximumResponseSize = 1 << 20

    private let httpClient: HTTPClient
    private let timeout: Duration
    private let clock: any Clock<Duration>

    /// - Parameters:
    ///   - timeout: how long one request may take, from connecting to the last byte of the answer.
    ///   - clock: what the timeout is measured on (tests move a manual one).
    ///   - eventLoopGroup: where the HTTP connections run.
    public init(timeout: Duration = .seconds(10), clock: any Clock<Duration> = ContinuousClock(),
                eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = TimeAmount(timeout)
        // A refused connection fails the request at once instead of being retried until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.httpClient = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        self.timeout = timeout
        self.clock = clock
    }

    /// Stamps the SHA-256 digest `digest` by `authority` (a fresh random nonce, certReq TRUE) and
    /// returns the verified token.
    public func stamp(sha256Digest digest: [UInt8], by authority: TimeStampAuthority)
        async throws(TimeStampError) -> VerifiedTimeStamp
    {
        try await stamp(TimeStampRequest(sha256Digest: digest, policy: authority.policy), by: authority)
    }

    /// Sends `request` to `authority` and returns the token of its answer, verified against the
    /// request (digest, nonce, policy) and the authority's CA certificates.
    public func stamp(_ request: TimeStampRequest, by authority: TimeStampAuthority)
        async throws(TimeStampError) -> VerifiedTimeStamp
    {
        let answer = try await post(request.derEncoded, to: authority.url)
        let response = try TimeStampResponse(derEncoded: answer)
        return try await authority.verifier.verify(response.token, answering: request)
    }

    /// Shuts the HTTP client down; no request may follow.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    // MARK: - HTTP

    /// The body of the TSA's 200 answer to `body`, or the reason there is none within the timeout.
    private func post(_ body: [UInt8], to url: String) async throws(TimeStampError) -> [UInt8] {
        let timeout = self.timeout, clock = self.clock, httpClient = self.httpClient
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { try await Self.exchange(body, url: url, on: httpClient) }
                group.addTask {
                    try await clock.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else {
                    throw TimeStampError.timedOut(url: url, after: timeout)
                }
                return answer
            }
        } catch let error as TimeStampError {
            throw error
        } catch {
            // Cancelled from outside, the HTTP client reports its own error; either way it is the caller's doing.
            throw Task.isCancelled ? .cancelled : .unreachable(url: url, reason: "\(error)")
        }
    }

    /// One POST; throws on anything but a complete 200 answer of the right type. Its deadline
    /// is the caller's sleep on the injected clock, which cancels this task; so it sets none of
    /// its own on NIO's clock.
    private static func exchange(_ body: [UInt8], url: String, on httpClient: HTTPClient) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/timestamp-query")
        request.headers.add(name: "Accept", value: "application/timestamp-reply")
        request.body = .bytes(body)
        let response = try await httpClient.execute(request, deadline: .distantFuture)
        guard response.status.code == 200 else {
            throw TimeStampError.httpStatus(url: url, status: Int(response.status.code))
        }
        let type = response.headers.first(name: "Content-Type")
        guard let type, Self.isTimeStampReply(type) else {
            throw TimeStampError.unexpectedContentType(url: url, contentType: type)
        }
        let answer = try await response.body.collect(upTo: maximumResponseSize)
        return Array(answer.readableBytesView)
    }

    /// `application/timestamp-reply` (RFC 3161 §3.4), parameters and case ignored.
    static func isTimeStampReply(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.lowercased().filter { !$0.isWhitespace } == "application/timestamp-reply"
    }
}
