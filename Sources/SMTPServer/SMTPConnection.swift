#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import ServerKit

/// One SMTP connection: carries out the actions of `SMTPSession` on a socket.
struct SMTPConnection: ProtocolConnection {
    typealias Inbound = ConnectionShell.Inbound

    private let configuration: SMTPConfiguration
    private let backend: any SMTPBackend
    private var session: SMTPSession
    private var framer: CRLFFramer
    /// Pending responses, timed reads, STARTTLS and closing.
    private var io: ConnectionShell
    /// The content of the message being received: in memory, or past the threshold in a spool file.
    private var spool: SMTPMessageSpool
    /// In-flight bytes this connection holds for its transaction (`configuration.inFlight`).
    private var reserved = 0
    /// Why the content being read cannot be kept (the in-flight cap, or the spool failed): read on
    /// to its end, then refused with this reply.
    private var contentFailure: SMTPReply?
    private var transactionID = ""
    /// The reverse-path of the transaction being built, for the log lines of its refusals.
    private var sender: String?

    /// The handler of an SMTP listener of kind `kind`.
    static func handler(kind: SMTPListenerKind, configuration: SMTPConfiguration, backend: any SMTPBackend)
        -> ProtocolConnectionHandler<SMTPConnection>
    {
        // Idle and waiting for a command at shutdown: say goodbye now (RFC 5321 §3.8).
        ProtocolConnectionHandler(
            protocolName: "smtp", listenerName: kind.rawValue,
            farewell: SMTPReply.shuttingDown(configuration.hostname).encoded, timing: configuration.timing
        ) { shell in
            SMTPConnection(shell: shell, configuration: configuration, kind: kind, backend: backend)
        }
    }

    init(shell: ConnectionShell, configuration: SMTPConfiguration, kind: SMTPListenerKind, backend: any SMTPBackend) {
        self.io = shell
        self.configuration = configuration
        self.backend = backend
        let settings = SMTPSession.Settings(
            hostname: configuration.hostname, listener: kind, limits: configuration.limits,
            tlsAvailable: configuration.tls != nil, allowPlaintextAuthOnLoopback: configuration.allowPlaintextAuthOnLoopback)
        self.session = SMTPSession(settings: settings, tls: shell.implicitTLS, isLoopback: shell.isLoopback)
        self.framer = CRLFFramer(maximumLineLength: configuration.limits.lineLength)
        self.spool = SMTPMessageSpool(directory: configuration.spoolDirectory, threshold: configuration.limits.spoolThreshold)
    }

    /// However the connection ended (QUIT, a timeout, the client gone in the middle of DATA), the
    /// spool file is removed and the reserved bytes go back to the cap.
    mutating func connectionClosed() async {
        await endTransaction()
    }

    private var clientAddress: String { io.clientAddress }
    private var logger: Logger { io.logger }

    mutating func run(_ inbound: Inbound) async throws {
        var iterator = inbound.makeAsyncIterator()
        try await perform(session.connected(io.admission), &iterator)
        while !io.isClosed {
            if session.isIdle, io.shutdownRequested, let action = session.shutdownRequested() {
                try await perform(action, &iterator)
                break
            }
            guard let line = try await nextLine(&iterator) else {
                if io.stoppedForShutdown, let action = session.shutdownRequested() { try await perform(action, &iterator) }
                return
            }
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
                        logSessionRefusal(of: command, action)
                    } catch {
                        action = session.receive(error)
                    }
                }
            }
            try await perform(action, &iterator)
        }
    }

    /// Releases what the transaction held once it is over (delivered, refused, RSET, EHLO).
    private mutating func endTransaction() async {
        if spool.size > 0 || spool.isSpooled { await spool.discard() }
        configuration.inFlight.release(reserved)
        reserved = 0
    }

    // MARK: - Actions

    private mutating func perform(_ first: SMTPSession.Action, _ iterator: inout Inbound.AsyncIterator) async throws {
        try await carryOut(first, &iterator)
        if !session.holdsTransaction { await endTransaction() }
    }

    private mutating func carryOut(_ first: SMTPSession.Action, _ iterator: inout Inbound.AsyncIterator) async throws {
        var next: SMTPSession.Action? = first
        while let action = next {
            next = nil
            switch action {
            case .reply(let reply):
                reply.encode(into: &io.output)
            case .close(let reply):
                reply.encode(into: &io.output)
                try await io.close()
            case .checkSender(let path):
                if let refusal = reserveDeclaredSize() {
                    sender = path
                    logRefusal(refusal, at: .mail, from: path)
                    next = session.senderChecked(.reject(refusal))
                    break
                }
                let verdict = await timed("checkSender", limit: configuration.limits.timeouts.mail) {
                    await backend.checkSender(path, session: session.info(clientAddress: clientAddress))
                }
                sender = path
                if case .reject(let reply) = verdict { logRefusal(reply, at: .mail, from: path) }
                next = session.senderChecked(verdict)
            case .checkRecipient(let path):
                let verdict = await timed("checkRecipient", limit: configuration.limits.timeouts.recipient) {
                    await backend.checkRecipient(path, session: session.info(clientAddress: clientAddress))
                }
                if case .reject(let reply) = verdict { logRefusal(reply, at: .rcpt, from: sender, to: path) }
                next = session.recipientChecked(verdict)
            case .authenticate(let credentials):
                let user = await backend.authenticate(
                    username: credentials.username, password: credentials.password,
                    session: session.info(clientAddress: clientAddress))
                logger.info("auth", metadata: ["result": "\(user == nil ? "failed" : "ok")"])
                next = session.authenticated(user: user)
            case .receiveData(let reply):
                reply.encode(into: &io.output)
                await startMessage()
                let outcome = try await readData(&iterator)
                if case .complete = outcome, let failure = contentFailure {
                    next = session.contentRefused(failure)
                    logTransaction(size: -1, failure)
                } else {
                    next = session.dataReceived(outcome)
                    if case .reply(let reply) = next, reply == .messageTooBig { logTransaction(size: -1, reply) }
                }
            case .receiveChunk(let size, let keep):
                // Start afresh at a transaction's first chunk, never by "is the buffer empty":
                // the content of a chunked transaction that was reset must not lead the next one.
                if keep, session.isReadingFirstChunk { await startMessage() }
                guard try await readChunk(size: size, keep: keep, &iterator) else { return }
                if keep, let failure = contentFailure {
                    next = session.contentRefused(failure)
                    logTransaction(size: -1, failure)
                    break
                }
                next = session.chunkReceived()
                if case .reply(let reply) = next, reply == .messageTooBig { logTransaction(size: -1, reply) }
            case .deliver(var envelope):
                envelope.id = transactionID
                let content: [UInt8]
                do {
                    content = try await spool.message(after: traceHeaders(envelope))
                } catch {
                    logger.error("cannot read the spooled message back", metadata: ["id": "\(transactionID)", "error": "\(error)"])
                    let reply = SMTPReply(451, "4.3.0", "Local error in processing, try again later")
                    logTransaction(size: spool.size, reply, envelope: envelope)
                    next = session.delivered(reply)
                    break
                }
                let size = content.count
                let reply = await timed("deliver", limit: configuration.limits.timeouts.dataTermination) {
                    await backend.deliver(envelope: envelope, message: content,
                                          session: session.info(clientAddress: clientAddress))
                }
                logTransaction(size: size, reply, envelope: envelope, spooled: spool.isSpooled)
                next = session.delivered(reply)
            case .startTLS(let reply):
                guard try await io.startTLS(configuration.tls, reply: reply.encoded,
                                            framerHoldsBytes: framer.bufferedBytes > 0) else { return }
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

    /// The next line (or framing error); nil when the peer closed or, while idle, shutdown was requested.
    private mutating func nextLine(_ iterator: inout Inbound.AsyncIterator) async throws -> Result<ByteBuffer, SMTPSyntaxError>? {
        let line = try await io.nextFrame(of: &framer, from: &iterator, idle: session.isIdle,
                                          idleTimeout: configuration.limits.timeouts.server, farewell: timeoutReply)
        switch line {
        case nil: return nil
        case .success(let bytes): return .success(bytes)
        case .failure(.lineTooLong): return .failure(.lineTooLong)
        case .failure(.bareLineFeed), .failure(.bareCarriageReturn): return .failure(.bareLineEnding)
        }
    }

    /// DATA content up to the final dot (§4.1.1.4).
    private mutating func readData(_ iterator: inout Inbound.AsyncIterator) async throws -> SMTPDataDecoder.Outcome {
        var decoder = SMTPDataDecoder(limit: configuration.limits.messageSize)
        while true {
            if var bytes = framer.takeAll() {
                var content: [UInt8] = []
                let outcome = decoder.consume(&bytes, into: &content)
                await keep(content)
                if let outcome {
                    framer.putBack(bytes)  // pipelined commands after the dot
                    return outcome
                }
            }
            guard let bytes = try await readContent(&iterator) else {
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
                if keep { await self.keep(Array(bytes.readableBytesView)) }
                continue
            }
            guard let bytes = try await readContent(&iterator) else { return false }
            framer.append(bytes)
        }
        return true
    }

    /// Message content (DATA or a BDAT chunk): at most `dataBlock` between blocks (§4.5.3.2.5),
    /// and the whole content within the command deadline; on timeout, 421 and close.
    private mutating func readContent(_ iterator: inout Inbound.AsyncIterator) async throws -> ByteBuffer? {
        try await io.read(from: &iterator, idleTimeout: configuration.limits.timeouts.dataBlock, insideCommand: true,
                          farewell: timeoutReply)
    }

    /// 421 4.4.2: what a client that let a timeout pass is told before the close.
    private var timeoutReply: ByteBuffer {
        SMTPReply.timeout(configuration.hostname).encoded
    }

    // MARK: - Messages

    /// A transaction's content starts afresh.
    private mutating func startMessage() async {
        transactionID = Self.makeID()
        contentFailure = nil
        await spool.discard()
    }

    /// `Return-Path:` and `Received:` (RFC 5321 §4.4), which go in front of the content.
    private func traceHeaders(_ envelope: SMTPEnvelope) -> [UInt8] {
        TraceHeaders.make(
            mailFrom: envelope.mailFrom, recipients: envelope.recipients, helo: session.helo,
            clientAddress: clientAddress, hostname: configuration.hostname,
            protocolName: session.receivedProtocol(utf8: envelope.utf8), id: envelope.id, date: configuration.now())
    }

    /// MAIL FROM with SIZE= (RFC 1870 §6.2) reserves the declared size before the sender is checked;
    /// without it, MAIL only needs some room left. 452 4.3.1 when the in-flight cap has none.
    private mutating func reserveDeclaredSize() -> SMTPReply? {
        guard case .checkingSender(_, let parameters) = session.phase else { return nil }
        let declared = max(0, parameters.size ?? 0)
        guard configuration.inFlight.reserve(declared) else {
            logger.notice("in-flight cap reached", metadata: ["stage": "mail", "declared": "\(declared)",
                                                               "cap": "\(configuration.inFlight.capacity)"])
            return .insufficientStorage
        }
        reserved += declared
        return nil
    }

    /// Keeps content bytes: reserves what they add beyond the bytes already reserved, then appends
    /// them to the spool. When either fails, the content read so far is dropped and the rest is
    /// read and dropped too; the transaction is then refused with `contentFailure`.
    private mutating func keep(_ bytes: [UInt8]) async {
        guard contentFailure == nil, !bytes.isEmpty else { return }
        let needed = spool.size + bytes.count - reserved
        if needed > 0 {
            guard configuration.inFlight.reserve(needed) else {
                logger.notice("in-flight cap reached", metadata: ["stage": "data", "id": "\(transactionID)",
                                                                   "cap": "\(configuration.inFlight.capacity)"])
                contentFailure = .insufficientStorage
                await spool.discard()
                return
            }
            reserved += needed
        }
        do {
            try await spool.append(bytes)
        } catch {
            logger.error("cannot spool message content", metadata: ["id": "\(transactionID)", "error": "\(error)"])
            contentFailure = .insufficientStorage
            await spool.discard()
        }
    }

    // MARK: - Log

    /// One line per message: "message received" when it was taken (the reply 250 says it is
    /// durable), else "message refused" with the reason. `size` is -1 when the content was cut
    /// off for being too big.
    private func logTransaction(size: Int, _ reply: SMTPReply, envelope: SMTPEnvelope? = nil, spooled: Bool = false) {
        var metadata: Logger.Metadata = [
            "id": "\(envelope?.id ?? transactionID)",
            "from": "\(envelope?.mailFrom ?? sender ?? "")",
            "to": "\(envelope?.recipients.joined(separator: ",") ?? "")",
            "size": "\(size)",
            "client": "\(clientAddress)",
            "result": "\(SMTPRefusal.result(of: reply))",
            "reply": "\(reply.logValue)",
        ]
        if spooled { metadata["spooled"] = "true" }
        if reply.isPositive {
            logger.info("message received", metadata: metadata)
        } else {
            metadata["reason"] = "\(SMTPRefusal.reason(for: reply, at: .data))"
            logger.notice("message refused", metadata: metadata)
        }
    }

    /// A MAIL or RCPT the backend refused: the reply sent and why.
    private func logRefusal(_ reply: SMTPReply, at stage: SMTPRefusal.Stage, from: String?, to: String? = nil) {
        var metadata: Logger.Metadata = [
            "stage": "\(stage.rawValue)",
            "client": "\(clientAddress)",
            "result": "\(SMTPRefusal.result(of: reply))",
            "reply": "\(reply.logValue)",
            "reason": "\(SMTPRefusal.reason(for: reply, at: stage))",
        ]
        if let from { metadata["from"] = "\(from)" }
        if let to { metadata["to"] = "\(to)" }
        if let user = session.info(clientAddress: clientAddress).authenticatedUser { metadata["user"] = "\(user)" }
        logger.notice("refused", metadata: metadata)
    }

    /// A MAIL or RCPT the session itself refused (SIZE too big, too many recipients, no AUTH,
    /// SMTPUTF8 missing): logged like a backend's refusal. Other commands' errors are not.
    private mutating func logSessionRefusal(of command: SMTPCommand, _ action: SMTPSession.Action) {
        guard case .reply(let reply) = action, !reply.isPositive else { return }
        switch command {
        case .mail(let path, _, _):
            sender = nil
            logRefusal(reply, at: .mail, from: path)
        case .recipient(let path, _):
            logRefusal(reply, at: .rcpt, from: sender, to: path)
        default:
            return
        }
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
