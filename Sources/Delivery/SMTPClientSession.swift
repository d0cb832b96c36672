import NIOSSL
import ServerKit

/// Time limits of the client (RFC 5321 §4.5.3.2 gives 5 minutes for the greeting and MAIL/RCPT,
/// 10 for the end of DATA; one bound for every reply keeps this simple and within them).
public struct SMTPClientTimeouts: Sendable, Hashable {
    public var connect: Duration
    public var reply: Duration
    public init(connect: Duration = .seconds(30), reply: Duration = .seconds(300)) {
        self.connect = connect
        self.reply = reply
    }
}

/// An open, greeted SMTP client session (RFC 5321 §3): EHLO (HELO when EHLO is refused),
/// STARTTLS, AUTH, then one transaction after another on the same connection.
public struct SMTPClientSession {
    var connection: SMTPClientConnection
    public private(set) var capabilities = SMTPServerCapabilities()
    public let host: OutboundHost
    /// The address actually connected to.
    public let address: String
    /// Whether the session runs over TLS.
    public var isEncrypted: Bool { connection.isEncrypted }
    /// After a failed transaction the server may still hold state: RSET before the next one.
    private var needsReset = false

    /// Connects to `host` (each of its addresses in turn, else its name), greets it and
    /// prepares it as its TLS policy and credentials say; runs `body`, then QUIT and close.
    @discardableResult
    public static func with<T: Sendable>(
        host: OutboundHost, localName: String, timeouts: SMTPClientTimeouts = .init(),
        trustRoots: NIOSSLTrustRoots? = nil,
        _ body: (inout SMTPClientSession) async throws -> T
    ) async throws -> T {
        let targets = host.addresses.isEmpty ? [host.name] : host.addresses
        var lastError: any Error = SMTPClientError.connectionFailed("\(host.name): no address")
        for target in targets {
            do {
                return try await SMTPClientConnection.with(
                    host: target, port: host.port, connectTimeout: timeouts.connect, timeout: timeouts.reply
                ) { connection in
                    var session = SMTPClientSession(connection: connection, host: host, address: target)
                    try await session.open(localName: localName, trustRoots: trustRoots)
                    let result = try await body(&session)
                    try? await session.connection.send(command: "QUIT")
                    _ = try? await session.connection.readReply()
                    return result
                }
            } catch let error as SMTPClientError {
                lastError = error
                switch error {
                case .connectionFailed: continue  // the next address (RFC 5321 §5.1)
                default: throw error
                }
            }
        }
        throw lastError
    }

    /// Like `with`, and when an opportunistic STARTTLS handshake fails, tries once more in
    /// cleartext (RFC 7435 §3: opportunistic security must not make delivery fail).
    @discardableResult
    public static func withFallback<T: Sendable>(
        host: OutboundHost, localName: String, timeouts: SMTPClientTimeouts = .init(),
        _ body: (inout SMTPClientSession) async throws -> T
    ) async throws -> T {
        do {
            return try await with(host: host, localName: localName, timeouts: timeouts, body)
        } catch SMTPClientError.tlsHandshakeFailed where host.tls == .opportunistic {
            var cleartext = host
            cleartext.tls = .disabled
            return try await with(host: cleartext, localName: localName, timeouts: timeouts, body)
        }
    }

    private init(connection: SMTPClientConnection, host: OutboundHost, address: String) {
        self.connection = connection
        self.host = host
        self.address = address
    }

    /// Greeting (RFC 5321 §4.3.1: 220, else no service), EHLO/HELO, STARTTLS, AUTH.
    private mutating func open(localName: String, trustRoots: NIOSSLTrustRoots?) async throws {
        let greeting = try await connection.readReply()
        guard greeting.code == 220 else { throw SMTPClientError.refused(greeting) }
        try await hello(localName)
        if host.tls != .disabled && capabilities.startTLS {
            let reply = try await connection.command("STARTTLS")
            if reply.code == 220 {
                try await connection.startTLS(serverName: host.name,
                                              verifyHostname: host.tls == .required ? host.name : nil,
                                              trustRoots: trustRoots)
                // RFC 3207 §4.2: the client forgets what it learnt and says EHLO again. A lost
                // connection here is the handshake failing.
                do {
                    try await hello(localName)
                } catch SMTPClientError.connectionLost {
                    throw host.tls == .required ? SMTPClientError.tlsRequired("the connection closed during the handshake")
                        : SMTPClientError.tlsHandshakeFailed("the connection closed during the handshake")
                } catch SMTPClientError.tlsHandshakeFailed(let why) where host.tls == .required {
                    throw SMTPClientError.tlsRequired(why)
                }
            } else if host.tls == .required {
                throw SMTPClientError.tlsRequired("STARTTLS answered \(reply)")
            }
        } else if host.tls == .required {
            throw SMTPClientError.tlsRequired("\(host.name) does not offer STARTTLS")
        }
        if let credentials = host.credentials { try await authenticate(credentials) }
    }

    /// EHLO, and HELO when the server does not know EHLO (RFC 5321 §3.2: 500, 502, 504 or 550).
    private mutating func hello(_ localName: String) async throws {
        let ehlo = try await connection.command("EHLO \(localName)")
        if ehlo.code == 250 {
            capabilities = SMTPServerCapabilities(ehloLines: ehlo.lines)
            return
        }
        guard ehlo.isPermanent else { throw SMTPClientError.refused(ehlo) }
        let helo = try await connection.command("HELO \(localName)")
        guard helo.code == 250 else { throw SMTPClientError.refused(helo) }
        capabilities = SMTPServerCapabilities()
    }

    /// AUTH PLAIN with an initial response (RFC 4954 §4, RFC 4616). The password goes only over
    /// TLS, or to a loopback address (a relay on this machine).
    private mutating func authenticate(_ credentials: SMTPCredentials) async throws {
        guard capabilities.authMechanisms.contains("PLAIN") else {
            throw SMTPClientError.authenticationUnavailable("\(host.name) does not offer AUTH PLAIN")
        }
        guard connection.isEncrypted || Self.isLoopback(address) else {
            throw SMTPClientError.authenticationUnavailable("will not send a password in cleartext to \(host.name)")
        }
        let token = Base64.encodeToString([0] + Array(credentials.user.utf8) + [0] + Array(credentials.password.utf8))
        let reply = try await connection.command("AUTH PLAIN \(token)")
        guard reply.code == 235 else { throw SMTPClientError.refused(reply) }
    }

    static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address.hasPrefix("127.") || address == "localhost"
    }

    /// Sends one message to its recipients and returns each recipient's answer: MAIL's when MAIL
    /// failed, RCPT's when RCPT failed, else the answer to the end of DATA. With PIPELINING
    /// (RFC 2920 §3.1) MAIL, every RCPT and DATA go out in one write.
    public mutating func send(_ transaction: OutboundTransaction) async throws -> TransactionOutcome {
        if needsReset {
            let reply = try await connection.command("RSET")
            guard reply.code == 250 else { throw SMTPClientError.refused(reply) }
            needsReset = false
        }
        if let refusal = precheck(transaction) {
            return TransactionOutcome(replies: transaction.recipients.map { _ in refusal })
        }
        let mail = mailCommand(transaction)
        let rcpts = transaction.recipients.map { "RCPT TO:<\($0)>" }
        var mailReply: SMTPClientReply
        var rcptReplies: [SMTPClientReply] = []
        var dataReply: SMTPClientReply?
        if capabilities.pipelining {
            try await connection.send(Array((([mail] + rcpts + ["DATA"]).joined(separator: "\r\n") + "\r\n").utf8))
            mailReply = try await connection.readReply()
            for _ in rcpts { rcptReplies.append(try await connection.readReply()) }
            dataReply = try await connection.readReply()
        } else {
            mailReply = try await connection.command(mail)
            if mailReply.code == 250 {
                for rcpt in rcpts { rcptReplies.append(try await connection.command(rcpt)) }
                if rcptReplies.contains(where: { $0.code == 250 || $0.code == 251 }) {
                    dataReply = try await connection.command("DATA")
                }
            }
        }
        let accepted = mailReply.code == 250 && rcptReplies.contains { $0.code == 250 || $0.code == 251 }
        var finalReply: SMTPClientReply?
        if let dataReply, dataReply.code == 354 {
            // Send the message even when no recipient was accepted (a pipelining server should
            // then have refused DATA, RFC 2920 §3.1); what ends DATA then matters to nobody.
            try await connection.send(MessageWireEncoding.dotStuffed(accepted ? transaction.content : []))
            finalReply = try await connection.readReply()
        }
        needsReset = finalReply == nil || !(finalReply!.isPositive)
        let replies = Self.recipientReplies(mail: mailReply, recipients: rcptReplies, final: finalReply,
                                            data: dataReply, count: transaction.recipients.count)
        return TransactionOutcome(replies: replies)
    }

    /// Each recipient's answer from the replies of one transaction (pure; see `send`).
    static func recipientReplies(mail: SMTPClientReply, recipients: [SMTPClientReply], final: SMTPClientReply?,
                                 data: SMTPClientReply?, count: Int) -> [SMTPClientReply] {
        guard mail.code == 250 else { return Array(repeating: mail, count: count) }
        return (0..<count).map { index in
            guard index < recipients.count else { return mail }
            let rcpt = recipients[index]
            guard rcpt.code == 250 || rcpt.code == 251 else { return rcpt }
            if let final { return final }
            // DATA itself was refused: its answer stands for every accepted recipient.
            return data ?? SMTPClientReply(code: 451, lines: ["4.4.2 no answer to DATA"])
        }
    }

    /// Refusals decided before anything is sent: the message is larger than the server's SIZE
    /// (RFC 1870 §6.2), or needs SMTPUTF8 that the server lacks (RFC 6531 §3.2).
    func precheck(_ transaction: OutboundTransaction) -> SMTPClientReply? {
        if let maximum = capabilities.maximumSize, maximum > 0, transaction.content.count > maximum {
            return SMTPClientReply(code: 552, lines: [
                "5.3.4 message of \(transaction.content.count) octets exceeds the server's limit of \(maximum)",
            ])
        }
        let needsUTF8 = ([transaction.mailFrom] + transaction.recipients).contains { $0.utf8.contains { $0 >= 0x80 } }
        if needsUTF8 && !capabilities.smtpUTF8 {
            return SMTPClientReply(code: 553, lines: [
                "5.6.7 non-ASCII address and the server does not offer SMTPUTF8",
            ])
        }
        return nil
    }

    /// MAIL FROM with SIZE (RFC 1870), BODY=8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531) where the
    /// server announced them and the message needs them.
    func mailCommand(_ transaction: OutboundTransaction) -> String {
        var command = "MAIL FROM:<\(transaction.mailFrom)>"
        if capabilities.maximumSize != nil { command += " SIZE=\(transaction.content.count)" }
        if capabilities.eightBitMIME && MessageWireEncoding.hasEightBitBytes(transaction.content) {
            command += " BODY=8BITMIME"
        }
        let utf8 = ([transaction.mailFrom] + transaction.recipients).contains { $0.utf8.contains { $0 >= 0x80 } }
        if utf8 && capabilities.smtpUTF8 { command += " SMTPUTF8" }
        return command
    }
}
