import NIOCore
import NIOPosix
import NIOSSL
import ServerKit
import Synchronization

/// Why an SMTP conversation ended before its replies were read.
public enum SMTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No TCP connection to any address of the host.
    case connectionFailed(String)
    /// The server closed the connection, or it broke.
    case connectionLost
    /// No reply within the time allowed (RFC 5321 §4.5.3.2).
    case timeout
    /// A reply the client cannot read.
    case malformedReply(String)
    /// The greeting, EHLO/HELO or AUTH was refused: this host will not take mail from us now.
    case refused(SMTPClientReply)
    /// TLS is required for this route and the server does not offer STARTTLS, or the handshake
    /// or certificate check failed.
    case tlsRequired(String)
    /// Opportunistic STARTTLS failed during the handshake; the caller may retry in cleartext
    /// (RFC 7435 §3).
    case tlsHandshakeFailed(String)
    /// AUTH is configured for this host but cannot be done (not offered, or over cleartext).
    case authenticationUnavailable(String)

    public var description: String {
        switch self {
        case .connectionFailed(let why): "connection failed: \(why)"
        case .connectionLost: "connection lost"
        case .timeout: "timed out waiting for the server"
        case .malformedReply(let line): "malformed reply: \(line)"
        case .refused(let reply): "refused: \(reply)"
        case .tlsRequired(let why): "TLS required: \(why)"
        case .tlsHandshakeFailed(let why): "TLS handshake failed: \(why)"
        case .authenticationUnavailable(let why): "authentication unavailable: \(why)"
        }
    }
}

/// One TCP connection to an SMTP server: writes commands, reads replies, upgrades to TLS in place.
/// Owned by one task; every read has a deadline, armed on the channel's event loop.
struct SMTPClientConnection {
    let channel: any Channel
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var framer = CRLFFramer(maximumLineLength: 4096)
    private var assembler = SMTPReplyAssembler()
    let timeout: Duration
    /// Whether STARTTLS succeeded on this connection.
    private(set) var isEncrypted = false

    /// Connects to `host:port`, runs `body` with the connection and closes it.
    static func with<T: Sendable>(
        host: String, port: Int, connectTimeout: Duration, timeout: Duration,
        _ body: (inout SMTPClientConnection) async throws -> T
    ) async throws -> T {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Self.nanoseconds(connectTimeout)))
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPClientError.connectionFailed("\(host):\(port): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = SMTPClientConnection(channel: channel.channel, inbound: inbound.makeAsyncIterator(),
                                                  outbound: outbound, timeout: timeout)
            return try await body(&connection)
        }
    }

    private init(channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                 outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, timeout: Duration) {
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
        self.timeout = timeout
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// Writes bytes as they are.
    func send(_ bytes: [UInt8]) async throws {
        do { try await outbound.write(ByteBuffer(bytes: bytes)) } catch { throw SMTPClientError.connectionLost }
    }

    /// Writes one command line, CRLF added.
    func send(command: String) async throws {
        try await send(Array((command + "\r\n").utf8))
    }

    /// Writes a command and reads its reply.
    mutating func command(_ line: String) async throws -> SMTPClientReply {
        try await send(command: line)
        return try await readReply()
    }

    /// The next complete reply. Throws `.timeout` when the server stays silent past the deadline
    /// (the connection is then closed), `.connectionLost` when it closes.
    mutating func readReply() async throws -> SMTPClientReply {
        while true {
            if let result = framer.nextLine() {
                switch result {
                case .success(let line):
                    do {
                        if let reply = try assembler.add(line) { return reply }
                    } catch {
                        throw SMTPClientError.malformedReply(String(buffer: line))
                    }
                    continue
                case .failure(let problem):
                    throw SMTPClientError.malformedReply("\(problem)")
                }
            }
            let channel = self.channel
            let timedOut = TimeoutFlag()
            let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(Self.nanoseconds(timeout))) {
                timedOut.fire()
                channel.close(promise: nil)
            }
            let bytes: ByteBuffer?
            do {
                bytes = try await inbound.next()
            } catch let error as NIOSSLError {
                // Only after STARTTLS: the handshake (or the TLS session) failed; say why.
                timer.cancel()
                throw SMTPClientError.tlsHandshakeFailed("\(error)")
            } catch {
                timer.cancel()
                throw timedOut.fired ? SMTPClientError.timeout : SMTPClientError.connectionLost
            }
            timer.cancel()
            guard let bytes else {
                throw timedOut.fired ? SMTPClientError.timeout : SMTPClientError.connectionLost
            }
            framer.append(bytes)
        }
    }

    /// Puts TLS in front of the pipeline after the server's 220 to STARTTLS (RFC 3207 §4). The
    /// handshake runs when the next command is written; a failed handshake shows as a lost
    /// connection on that command's reply, which the caller reports as a TLS failure.
    /// `verifyHostname` nil: opportunistic, no certificate check (RFC 7435 §1.3: an
    /// unauthenticated encrypted channel beats cleartext); else the certificate must be valid for
    /// that name under the system's trust roots (or `trustRoots`).
    mutating func startTLS(serverName: String?, verifyHostname: String?,
                           trustRoots: NIOSSLTrustRoots? = nil) async throws {
        guard framer.bufferedBytes == 0 else {
            // Bytes after the 220 came in cleartext: reading them as TLS would be an injection
            // (CVE-2011-0411, the client side).
            throw SMTPClientError.malformedReply("data after the STARTTLS reply")
        }
        var settings = TLSConfiguration.makeClientConfiguration()
        settings.minimumTLSVersion = .tlsv12
        if verifyHostname == nil {
            settings.certificateVerification = .none
        } else if let trustRoots {
            settings.trustRoots = trustRoots
        }
        let configuration = settings
        let sni = (verifyHostname ?? serverName).flatMap { Self.isIPLiteral($0) ? nil : $0 }
        let channel = self.channel
        do {
            try await channel.eventLoop.submit {
                let context = try NIOSSLContext(configuration: configuration)
                let handler = try NIOSSLClientHandler(context: context, serverHostname: sni)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        } catch {
            throw verifyHostname == nil ? SMTPClientError.tlsHandshakeFailed("\(error)")
                : SMTPClientError.tlsRequired("\(error)")
        }
        isEncrypted = true
    }

    static func isIPLiteral(_ text: String) -> Bool {
        text.contains(":") || (!text.isEmpty && text.allSatisfy { $0 == "." || ($0 >= "0" && $0 <= "9") })
    }
}

/// Set by a read deadline's timer when it closed the connection.
private final class TimeoutFlag: Sendable {
    private let state = Mutex(false)
    func fire() { state.withLock { $0 = true } }
    var fired: Bool { state.withLock { $0 } }
}
