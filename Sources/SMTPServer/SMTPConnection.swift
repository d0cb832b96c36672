#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import ServerKit

/// Serves SMTP on the connections of a `Listener`.
struct SMTPConnectionHandler<Backend: SMTPBackend>: ConnectionHandler {
    let kind: SMTPListenerKind
    let configuration: SMTPConfiguration
    let backend: Backend

    func handle(_ connection: Connection, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "protocol"] = "smtp"
        logger[metadataKey: "listener"] = "\(kind.rawValue)"
        logger[metadataKey: "client"] = "\(connection.remoteAddress)"
        let shutdown = IdleShutdownSignal()
        var session = SMTPConnection(connection: connection, configuration: configuration, kind: kind, backend: backend,
                                     shutdown: shutdown, logger: logger)
        // Idle and waiting for a command: say goodbye now (RFC 5321 §3.8).
        let farewell = SMTPReply.shuttingDown(configuration.hostname).encoded
        await connection.serve(shutdown: shutdown, farewell: farewell, logger: logger) { inbound in
            try await session.run(inbound)
        }
    }
}

/// One SMTP connection: carries out the actions of `SMTPSession` on a socket.
struct SMTPConnection<Backend: SMTPBackend> {
    typealias Inbound = NIOAsyncChannelInboundStream<ByteBuffer>

    private let channel: any Channel
    private let configuration: SMTPConfiguration
    private let backend: Backend
    private let clientAddress: String
    private let exceedsLimit: Bool
    private let shutdown: IdleShutdownSignal
    private var logger: Logger
    private var session: SMTPSession
    private var framer: CRLFFramer
    /// Responses not yet written, and the bytes read so far (for STARTTLS).
    private var io: ConnectionIO
    /// The message being received: trace headers, then content.
    private var message: [UInt8] = []
    private var transactionID = ""
    private var closed = false

    init(connection: Connection, configuration: SMTPConfiguration, kind: SMTPListenerKind, backend: Backend,
         shutdown: IdleShutdownSignal, logger: Logger) {
        self.channel = connection.channel.channel
        self.io = ConnectionIO(channel: connection.channel.channel)
        self.configuration = configuration
        self.backend = backend
        self.clientAddress = connection.remoteAddress
        self.exceedsLimit = connection.exceedsPerAddressLimit
        self.shutdown = shutdown
        self.logger = logger
        let settings = SMTPSession.Settings(
            hostname: configuration.hostname, listener: kind, limits: configuration.limits,
            tlsAvailable: configuration.tls != nil, allowPlaintextAuthOnLoopback: configuration.allowPlaintextAuthOnLoopback)
        self.session = SMTPSession(settings: settings, tls: connection.implicitTLS, isLoopback: connection.isLoopback)
        self.framer = CRLFFramer(maximumLineLength: configuration.limits.lineLength)
    }

    mutating func run(_ inbound: Inbound) async throws {
        var iterator = inbound.makeAsyncIterator()
        try await perform(session.connected(exceedsPerAddressLimit: exceedsLimit), &iterator)
        while !closed {
            if session.isIdle, shutdown.isRequested, let action = session.shutdownRequested() {
                try await perform(action, &iterator)
                break
            }
            guard let line = try await nextLine(&iterator) else { return }
            let action: SMTPSession.Action
            switch line {
            case .failure(let error):
                action = session.receive(error)
            case .success(let bytes):
                if session.expectsSASLResponse {
                    action = session.receiveSASLResponse(Array(bytes.readableBytesView))
                } else {
                    do throws(SMTPSyntaxError) {
                        let command = try SMTPCommand(parsing: bytes)
                        logger.trace("command", metadata: ["verb": "\(verb(of: command))"])
                        action = session.receive(command)
                    } catch {
                        action = session.receive(error)
                    }
                }
            }
            try await perform(action, &iterator)
        }
    }

    // MARK: - Actions

    private mutating func perform(_ first: SMTPSession.Action, _ iterator: inout Inbound.AsyncIterator) async throws {
        var next: SMTPSession.Action? = first
        while let action = next {
            next = nil
            switch action {
            case .reply(let reply):
                reply.encode(into: &io.output)
            case .close(let reply):
                reply.encode(into: &io.output)
                try await io.flush()
                closed = true
                try await channel.close()
            case .checkSender(let path):
                let verdict = await timed("checkSender", limit: configuration.limits.timeouts.mail) {
                    await backend.checkSender(path, session: session.info(clientAddress: clientAddress))
                }
                next = session.senderChecked(verdict)
            case .checkRecipient(let path):
                let verdict = await timed("checkRecipient", limit: configuration.limits.timeouts.recipient) {
                    await backend.checkRecipient(path, session: session.info(clientAddress: clientAddress))
                }
                next = session.recipientChecked(verdict)
            case .authenticate(let credentials):
                let user = await backend.authenticate(
                    username: credentials.username, password: credentials.password,
                    session: session.info(clientAddress: clientAddress))
                logger.info("auth", metadata: ["result": "\(user == nil ? "failed" : "ok")"])
                next = session.authenticated(user: user)
            case .receiveData(let reply):
                reply.encode(into: &io.output)
                startMessage()
                next = session.dataReceived(try await readData(&iterator))
            case .receiveChunk(let size, let keep):
                // Start afresh at a transaction's first chunk, never by "is the buffer empty":
                // the content of a chunked transaction that was reset must not lead the next one.
                if keep, session.isReadingFirstChunk { startMessage() }
                guard try await readChunk(size: size, keep: keep, &iterator) else { return }
                next = session.chunkReceived()
                if case .reply(let reply) = next, reply == .messageTooBig { logTransaction(size: -1, reply) }
            case .deliver(var envelope):
                envelope.id = transactionID
                let content = insertTrace(envelope)
                let size = content.count
                let reply = await timed("deliver", limit: configuration.limits.timeouts.dataTermination) {
                    await backend.deliver(envelope: envelope, message: content,
                                          session: session.info(clientAddress: clientAddress))
                }
                logTransaction(size: size, reply, envelope: envelope)
                next = session.delivered(reply)
            case .startTLS(let reply):
                try await io.flush()
                guard framer.bufferedBytes == 0, let tls = configuration.tls else {
                    logger.info("plaintext pipelined after STARTTLS; closing")
                    closed = true
                    try await channel.close()
                    return
                }
                do {
                    try await ServerKit.startTLS(on: channel, tls: tls, reply: reply.encoded, consumedBytes: io.consumedBytes)
                } catch StartTLSError.plaintextPipelined {
                    logger.info("plaintext pipelined after STARTTLS; closing")
                    closed = true
                    try await channel.close()
                    return
                }
                session.tlsStarted()
            }
        }
    }

    /// Calls the backend and logs when the client will likely have given up (§4.5.3.2).
    private func timed<T>(_ what: String, limit: Duration, _ body: () async -> T) async -> T {
        let clock = ContinuousClock()
        let start = clock.now
        let result = await body()
        let elapsed = clock.now - start
        if elapsed > limit {
            logger.warning("backend slower than the client's timeout", metadata: ["call": "\(what)", "elapsed": "\(elapsed)"])
        }
        return result
    }

    // MARK: - Reading

    /// The next line (or framing error); nil when the peer closed.
    private mutating func nextLine(_ iterator: inout Inbound.AsyncIterator) async throws -> Result<ByteBuffer, SMTPSyntaxError>? {
        while true {
            if let line = framer.nextLine() {
                switch line {
                case .success(let bytes): return .success(bytes)
                case .failure(.lineTooLong): return .failure(.lineTooLong)
                case .failure(.bareLineFeed), .failure(.bareCarriageReturn): return .failure(.bareLineEnding)
                }
            }
            let idle = session.isIdle
            if idle, shutdown.beginIdleWait() { return nil }
            defer { if idle { shutdown.endIdleWait() } }
            guard let bytes = try await read(&iterator, timeout: configuration.limits.timeouts.server) else { return nil }
            framer.append(bytes)
        }
    }

    /// DATA content up to the final dot (§4.1.1.4).
    private mutating func readData(_ iterator: inout Inbound.AsyncIterator) async throws -> SMTPDataDecoder.Outcome {
        var decoder = SMTPDataDecoder(limit: configuration.limits.messageSize)
        while true {
            if var bytes = framer.takeAll() {
                if let outcome = decoder.consume(&bytes, into: &message) {
                    framer.putBack(bytes)  // pipelined commands after the dot
                    return outcome
                }
            }
            guard let bytes = try await read(&iterator, timeout: configuration.limits.timeouts.dataBlock) else {
                throw ConnectionClosed()  // no final dot: nothing is delivered
            }
            framer.append(bytes)
        }
    }

    /// Exactly `size` bytes of BDAT content (RFC 3030 §2); false when the peer closed first.
    private mutating func readChunk(size: Int, keep: Bool, _ iterator: inout Inbound.AsyncIterator) async throws -> Bool {
        var remaining = size
        while remaining > 0 {
            if let bytes = framer.readBytes(upTo: remaining) {
                remaining -= bytes.readableBytes
                if keep { message.append(contentsOf: bytes.readableBytesView) }
                continue
            }
            guard let bytes = try await read(&iterator, timeout: configuration.limits.timeouts.dataBlock) else {
                return false
            }
            framer.append(bytes)
        }
        return true
    }

    /// Flushes pending replies, then waits for bytes; on timeout the timer sends 421 and closes.
    private mutating func read(_ iterator: inout Inbound.AsyncIterator, timeout: Duration) async throws -> ByteBuffer? {
        var farewell = ByteBuffer()
        SMTPReply.timeout(configuration.hostname).encode(into: &farewell)
        return try await io.read(&iterator, timeout: timeout, farewell: farewell)
    }


    // MARK: - Messages

    /// A transaction's content starts: reserve room for the trace headers.
    private mutating func startMessage() {
        transactionID = Self.makeID()
        message = []
    }

    /// Prepends `Return-Path:` and `Received:` (RFC 5321 §4.4) and hands out the message.
    private mutating func insertTrace(_ envelope: SMTPEnvelope) -> [UInt8] {
        let trace = TraceHeaders.make(
            mailFrom: envelope.mailFrom, recipients: envelope.recipients, helo: session.helo,
            clientAddress: clientAddress, hostname: configuration.hostname,
            protocolName: session.receivedProtocol(utf8: envelope.utf8), id: envelope.id, date: configuration.now())
        var content = trace
        content.reserveCapacity(trace.count + message.count)
        content.append(contentsOf: message)
        message = []
        return content
    }

    private func logTransaction(size: Int, _ reply: SMTPReply, envelope: SMTPEnvelope? = nil) {
        logger.info("transaction", metadata: [
            "id": "\(envelope?.id ?? transactionID)",
            "from": "\(envelope?.mailFrom ?? "")",
            "recipients": "\(envelope?.recipients.joined(separator: ",") ?? "")",
            "size": "\(size)",
            "result": "\(reply.code) \(reply.enhanced ?? "")",
        ])
    }

    /// A transaction id: 16 characters of base32 (80 random bits).
    static func makeID() -> String {
        let alphabet = Array("0123456789BCDFGHJKLMNPQRSTVWXYZ".utf8)
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<16).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }, as: UTF8.self)
    }

    private func verb(of command: SMTPCommand) -> String {
        switch command {
        case .hello(_, let extended): extended ? "EHLO" : "HELO"
        case .mail: "MAIL"
        case .recipient: "RCPT"
        case .data: "DATA"
        case .binaryData: "BDAT"
        case .reset: "RSET"
        case .verify: "VRFY"
        case .help: "HELP"
        case .noop: "NOOP"
        case .quit: "QUIT"
        case .startTLS: "STARTTLS"
        case .auth: "AUTH"  // never the credentials
        }
    }
}

/// The peer closed in the middle of message content.
struct ConnectionClosed: Error {}
