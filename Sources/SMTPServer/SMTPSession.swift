import ServerKit

/// The rules of one SMTP session (RFC 5321 §4.1.4 order of commands, §3.3 transactions, and the
/// extensions), as a pure value: each event returns the action the connection must carry out.
/// No I/O, no clock, no NIO; tested alone (`SMTPSessionTests`).
public struct SMTPSession: Sendable {
    /// What the session is fixed to for its life (TLS and loopback come from the connection).
    public struct Settings: Sendable, Hashable {
        public var hostname: String
        public var listener: SMTPListenerKind
        public var limits: SMTPLimits
        /// STARTTLS can be offered (a TLS context is configured).
        public var tlsAvailable: Bool
        public var allowPlaintextAuthOnLoopback: Bool

        public init(hostname: String, listener: SMTPListenerKind, limits: SMTPLimits = SMTPLimits(),
                    tlsAvailable: Bool = false, allowPlaintextAuthOnLoopback: Bool = false) {
            self.hostname = hostname
            self.listener = listener
            self.limits = limits
            self.tlsAvailable = tlsAvailable
            self.allowPlaintextAuthOnLoopback = allowPlaintextAuthOnLoopback
        }
    }

    /// A mail transaction (§3.3): MAIL, then RCPTs, then content.
    public struct Transaction: Hashable, Sendable {
        public var mailFrom: String
        public var parameters: MailParameters
        public var recipients: [String] = []
        /// Content bytes received so far through BDAT.
        public var chunkedSize = 0
    }

    /// What the connection must do next.
    public enum Action: Hashable, Sendable {
        /// Send a reply and read on.
        case reply(SMTPReply)
        /// Send a reply and close the connection.
        case close(SMTPReply)
        /// Ask the backend about MAIL FROM, then call `senderChecked`.
        case checkSender(String)
        /// Ask the backend about RCPT TO, then call `recipientChecked`.
        case checkRecipient(String)
        /// Ask the backend about credentials, then call `authenticated`.
        case authenticate(SASLCredentials)
        /// Send the 354, read DATA content with `SMTPDataDecoder`, then call `dataReceived`.
        case receiveData(SMTPReply)
        /// Read exactly `size` bytes of BDAT content, keeping them only when `keep`, then call
        /// `chunkReceived`. (The bytes are read even when the command failed: RFC 3030 §2.)
        case receiveChunk(size: Int, keep: Bool)
        /// Hand the message to the backend, then call `delivered`.
        case deliver(SMTPEnvelope)
        /// Send the reply in plaintext, start TLS, then call `tlsStarted`.
        case startTLS(SMTPReply)
    }

    /// Where the session stands. Transaction-carrying phases hold the transaction.
    public enum Phase: Hashable, Sendable {
        /// Before EHLO/HELO.
        case connected
        /// After EHLO/HELO, outside a transaction.
        case greeted
        /// Waiting on `checkSender` for this MAIL.
        case checkingSender(String, MailParameters)
        /// After MAIL (and any RCPTs).
        case transaction(Transaction)
        /// Waiting on `checkRecipient`.
        case checkingRecipient(Transaction, String)
        /// Reading DATA content.
        case receivingData(Transaction)
        /// Between BDAT chunks (RFC 3030): only BDAT, RSET, NOOP, QUIT are allowed.
        case chunking(Transaction)
        /// Reading one BDAT chunk; what to do when it is in.
        indirect case readingChunk(size: Int, last: Bool, transaction: Transaction?, failure: SMTPReply?, resume: Phase)
        /// Waiting on `deliver`.
        case delivering(Transaction)
        /// An AUTH exchange (RFC 4954 §4) is waiting for the client's next line.
        case authenticating(SASLStep)
        /// Waiting on `authenticate`.
        case checkingCredentials
        /// QUIT, 421 or a fatal error.
        case closed

        /// From MAIL (while its check runs) until the transaction ends.
        var holdsTransaction: Bool {
            switch self {
            case .checkingSender, .transaction, .checkingRecipient, .receivingData, .chunking, .delivering: true
            case .readingChunk(_, _, let transaction, _, let resume): transaction != nil || resume.holdsTransaction
            case .connected, .greeted, .authenticating, .checkingCredentials, .closed: false
            }
        }
    }

    /// The step of an AUTH exchange that waits for a client line.
    public enum SASLStep: Hashable, Sendable {
        case plain, loginUsername, loginPassword(username: String)
    }

    public let settings: Settings
    public private(set) var phase: Phase = .connected

    /// True while the first BDAT chunk of a transaction is being read (RFC 3030 §2): the content
    /// starts afresh there, so nothing of an earlier, reset or aborted transaction can leak in.
    public var isReadingFirstChunk: Bool {
        if case .readingChunk(_, _, _, _, let resume) = phase, case .transaction = resume { return true }
        return false
    }
    /// The EHLO/HELO argument; forgotten by STARTTLS (RFC 3207 §4.2).
    public private(set) var helo: String?
    /// EHLO (true) or HELO (false), for the `Received:` protocol name.
    public private(set) var extended = false
    public private(set) var tls: Bool
    public let isLoopback: Bool
    public private(set) var authenticatedUser: String?
    /// 5xx replies so far.
    public private(set) var errors = 0
    /// Transactions delivered in this session (for transaction ids).
    public private(set) var transactionCount = 0

    public init(settings: Settings, tls: Bool, isLoopback: Bool) {
        self.settings = settings
        self.tls = tls
        self.isLoopback = isLoopback
    }

    /// True while no transaction and no exchange is in progress (a graceful shutdown may close).
    public var isIdle: Bool {
        switch phase {
        case .connected, .greeted, .closed: true
        default: false
        }
    }

    /// The next client line is an AUTH response, not a command.
    public var expectsSASLResponse: Bool {
        if case .authenticating = phase { return true }
        return false
    }

    /// AUTH may be used now (RFC 4954 §4: not over plaintext unless the configuration allows it
    /// on loopback).
    public var authenticationPermitted: Bool {
        tls || (isLoopback && settings.allowPlaintextAuthOnLoopback)
    }

    // MARK: - Events

    /// The connection opened: the greeting (§4.2, §3.1), or 421 when the client is over its limit.
    public mutating func connected(exceedsPerAddressLimit: Bool) -> Action {
        connected(exceedsPerAddressLimit ? .tooManyFromAddress : .admitted)
    }

    /// The greeting, or 421 when a connection limit refuses the client (RFC 5321 §3.1: a server
    /// may refuse with 421 at connection time; 4.7.0, a temporary policy reason, RFC 3463).
    public mutating func connected(_ admission: ConnectionAdmission) -> Action {
        switch admission {
        case .admitted:
            return .reply(SMTPReply(220, nil, "\(settings.hostname) ESMTP Tresor"))
        case .tooManyFromAddress:
            phase = .closed
            return .close(.tooManyConnections(settings.hostname))
        case .serverFull:
            phase = .closed
            return .close(.serverBusy(settings.hostname))
        }
    }

    /// A command line that did not parse.
    public mutating func receive(_ error: SMTPSyntaxError) -> Action {
        counted(.reply(error.reply))
    }

    /// A parsed command.
    public mutating func receive(_ command: SMTPCommand) -> Action {
        counted(handle(command))
    }

    private mutating func handle(_ command: SMTPCommand) -> Action {
        // RFC 3030 §2: between chunks only BDAT, RSET, QUIT (and the harmless NOOP).
        if case .chunking = phase {
            switch command {
            case .binaryData, .reset, .quit, .noop: break
            default: return .reply(.badSequence("Only BDAT, RSET or QUIT may follow BDAT"))
            }
        }
        switch command {
        // §4.1.1.1: EHLO/HELO may come at any time and abort a transaction (§4.1.4).
        case .hello(let domain, let isExtended):
            helo = domain
            extended = isExtended
            phase = .greeted
            return .reply(isExtended ? ehloReply(domain) : SMTPReply(250, nil, "\(settings.hostname) Hello \(domain)"))
        // §4.1.1.2, RFC 6409 §4.3, RFC 1870 §6.1, RFC 6531 §3.5
        case .mail(let path, let parameters, let nonASCII):
            switch phase {
            case .connected: return .reply(.badSequence("Send EHLO or HELO first"))
            case .greeted: break
            default: return .reply(.badSequence("Nested MAIL command"))
            }
            if settings.listener.requiresAuthentication && authenticatedUser == nil { return .reply(.authenticationRequired) }
            if let size = parameters.size, size > settings.limits.messageSize { return .reply(.messageTooBig) }
            if nonASCII && !parameters.smtputf8 { return .reply(.needsSMTPUTF8) }
            phase = .checkingSender(path, parameters)
            return .checkSender(path)
        // §4.1.1.3, §4.5.3.1.10
        case .recipient(let path, let nonASCII):
            guard case .transaction(let transaction) = phase else { return .reply(.badSequence("Need MAIL before RCPT")) }
            if nonASCII && !transaction.parameters.smtputf8 { return .reply(.needsSMTPUTF8) }
            if transaction.recipients.count >= settings.limits.recipients { return .reply(.tooManyRecipients) }
            phase = .checkingRecipient(transaction, path)
            return .checkRecipient(path)
        // §4.1.1.4; RFC 3030 §3: BINARYMIME content only through BDAT.
        case .data:
            guard case .transaction(let transaction) = phase else { return .reply(.badSequence("Need MAIL before DATA")) }
            // §3.3 allows 503 or 554 here; 503 also covers "all RCPTs were refused".
            guard !transaction.recipients.isEmpty else { return .reply(.badSequence("Need RCPT before DATA")) }
            if transaction.parameters.body == .binaryMIME { return .reply(.badSequence("BODY=BINARYMIME requires BDAT")) }
            phase = .receivingData(transaction)
            return .receiveData(.startMailInput)
        // RFC 3030 §2
        case .binaryData(let size, let last):
            let resume = phase
            var failure: SMTPReply?
            var current: Transaction?
            switch phase {
            case .transaction(let transaction), .chunking(let transaction):
                if transaction.recipients.isEmpty {
                    failure = .badSequence("Need RCPT before BDAT")
                } else {
                    var transaction = transaction
                    transaction.chunkedSize += size
                    current = transaction
                    if transaction.chunkedSize > settings.limits.messageSize || transaction.chunkedSize < 0 {
                        failure = .messageTooBig
                    }
                }
            default:
                failure = .badSequence("Need MAIL and RCPT before BDAT")
            }
            phase = .readingChunk(size: size, last: last, transaction: current, failure: failure, resume: resume)
            return .receiveChunk(size: size, keep: failure == nil)
        // §4.1.1.5
        case .reset:
            phase = helo == nil ? .connected : .greeted
            return .reply(.ok)
        // §3.5.3
        case .verify:
            return .reply(.cannotVerify)
        case .help:
            return .reply(.help)
        case .noop:
            return .reply(.ok)
        case .quit:
            phase = .closed
            return .close(.bye)
        // RFC 3207 §4
        case .startTLS:
            guard settings.tlsAvailable else { return .reply(.notImplemented) }
            guard !tls else { return .reply(.badSequence("TLS already active")) }
            switch phase {
            case .connected: return .reply(.badSequence("Send EHLO first"))
            case .greeted: return .startTLS(.readyToStartTLS)
            default: return .reply(.badSequence("STARTTLS not allowed during a mail transaction"))
            }
        // RFC 4954 §4
        case .auth(let mechanism, let initial):
            switch phase {
            case .connected: return .reply(.badSequence("Send EHLO first"))
            case .greeted: break
            default: return .reply(.badSequence("AUTH not allowed during a mail transaction"))
            }
            guard authenticatedUser == nil else { return .reply(.badSequence("Already authenticated")) }
            guard authenticationPermitted else { return .reply(.encryptionRequired) }
            switch (mechanism, initial) {
            case (.plain, nil):
                phase = .authenticating(.plain)
                return .reply(SMTPReply(334, nil, ""))
            case (.plain, let message?):
                return plainResponse(message)
            case (.login, nil):
                phase = .authenticating(.loginUsername)
                return .reply(SMTPReply(334, nil, SASLLogin.usernameChallenge))
            case (.login, let username?):
                guard let name = SASLLogin.decodeField(username) else { return .reply(.invalidSASLResponse) }
                phase = .authenticating(.loginPassword(username: name))
                return .reply(SMTPReply(334, nil, SASLLogin.passwordChallenge))
            }
        }
    }

    /// A line sent during an AUTH exchange (RFC 4954 §4): base64, or "*" to cancel.
    public mutating func receiveSASLResponse(_ line: [UInt8]) -> Action {
        guard case .authenticating(let step) = phase else { return counted(.reply(.badSequence("No AUTH in progress"))) }
        phase = .greeted
        if line == [UInt8(ascii: "*")] { return counted(.reply(.authenticationCancelled)) }
        guard let decoded = Base64.decode(line) else { return counted(.reply(.invalidSASLResponse)) }
        switch step {
        case .plain:
            return counted(plainResponse(decoded))
        case .loginUsername:
            guard let name = SASLLogin.decodeField(decoded) else { return counted(.reply(.invalidSASLResponse)) }
            phase = .authenticating(.loginPassword(username: name))
            return .reply(SMTPReply(334, nil, SASLLogin.passwordChallenge))
        case .loginPassword(let username):
            guard let password = SASLLogin.decodeField(decoded) else { return counted(.reply(.invalidSASLResponse)) }
            phase = .checkingCredentials
            return .authenticate(SASLCredentials(username: username, password: password))
        }
    }

    private mutating func plainResponse(_ message: [UInt8]) -> Action {
        guard let credentials = SASLPlain.decode(message) else {
            phase = .greeted
            return .reply(.invalidSASLResponse)
        }
        // RFC 4616 §2: acting as someone else is not offered; an authzid must name the user itself.
        if let authzid = credentials.authorizationIdentity, authzid != credentials.username {
            phase = .greeted
            return .reply(SMTPReply(535, "5.7.8", "Authorization identity not permitted"))
        }
        phase = .checkingCredentials
        return .authenticate(credentials)
    }

    /// The backend's answer to `authenticate`.
    public mutating func authenticated(user: String?) -> Action {
        guard case .checkingCredentials = phase else { return .reply(.badSequence("No AUTH in progress")) }
        phase = .greeted
        guard let user else { return counted(.reply(.authenticationFailed)) }
        authenticatedUser = user
        return .reply(.authenticationSucceeded)
    }

    /// The backend's answer to `checkSender`.
    public mutating func senderChecked(_ verdict: SMTPVerdict) -> Action {
        guard case .checkingSender(let path, let parameters) = phase else { return .reply(.badSequence("No MAIL pending")) }
        switch verdict {
        case .accept:
            phase = .transaction(Transaction(mailFrom: path, parameters: parameters))
            return .reply(.senderOK)
        case .reject(let reply):
            phase = .greeted
            return counted(.reply(reply))
        }
    }

    /// The backend's answer to `checkRecipient`.
    public mutating func recipientChecked(_ verdict: SMTPVerdict) -> Action {
        guard case .checkingRecipient(var transaction, let path) = phase else {
            return .reply(.badSequence("No RCPT pending"))
        }
        switch verdict {
        case .accept:
            transaction.recipients.append(path)
            phase = .transaction(transaction)
            return .reply(.recipientOK)
        case .reject(let reply):
            phase = .transaction(transaction)
            return counted(.reply(reply))
        }
    }

    /// DATA content ended (or broke).
    public mutating func dataReceived(_ outcome: SMTPDataDecoder.Outcome) -> Action {
        guard case .receivingData(let transaction) = phase else { return .close(.badSequence("No DATA in progress")) }
        switch outcome {
        case .complete:
            phase = .delivering(transaction)
            return .deliver(envelope(transaction))
        case .tooLarge:
            phase = .greeted
            return counted(.reply(.messageTooBig))
        case .bareLineEnding:
            phase = .closed
            return .close(.bareLineEndingInData)
        }
    }

    /// The connection could not keep the content it read to the end of DATA or of a BDAT chunk
    /// (the in-flight cap, or the spool failed): `reply` (452 4.3.1) and the transaction ends, as
    /// after any failed delivery (§4.1.1.4); the client may try again later.
    public mutating func contentRefused(_ reply: SMTPReply) -> Action {
        switch phase {
        case .receivingData, .readingChunk:
            phase = .greeted
            return counted(.reply(reply))
        default:
            return .close(.badSequence("No content in progress"))
        }
    }

    /// Whether a mail transaction is open (from MAIL until its reply after the content, RSET, EHLO
    /// or the close): what the connection holds for it (reserved bytes, the spool) is kept that long.
    public var holdsTransaction: Bool { phase.holdsTransaction }

    /// A BDAT chunk's bytes were read.
    public mutating func chunkReceived() -> Action {
        guard case .readingChunk(let size, let last, let transaction, let failure, let resume) = phase else {
            return .close(.badSequence("No BDAT in progress"))
        }
        if let failure {
            // An oversized chunk ends the transaction; a chunk out of sequence changes nothing.
            phase = failure == .messageTooBig ? .greeted : resume
            return counted(.reply(failure))
        }
        guard let transaction else { return .close(.badSequence("No BDAT in progress")) }
        if last {
            phase = .delivering(transaction)
            return .deliver(envelope(transaction))
        }
        phase = .chunking(transaction)
        return .reply(.chunkReceived(size))
    }

    /// The backend's answer to `deliver`: the transaction is over either way (§4.1.1.4).
    public mutating func delivered(_ reply: SMTPReply) -> Action {
        guard case .delivering = phase else { return .reply(.badSequence("No delivery pending")) }
        phase = .greeted
        transactionCount += 1
        return counted(.reply(reply))
    }

    /// TLS is now active: forget everything learnt before it (RFC 3207 §4.2), including EHLO and AUTH.
    public mutating func tlsStarted() {
        tls = true
        helo = nil
        extended = false
        authenticatedUser = nil
        phase = .connected
    }

    /// The server is shutting down; closes an idle session (§3.8), nil when work is in flight.
    public mutating func shutdownRequested() -> Action? {
        guard isIdle else { return nil }
        phase = .closed
        return .close(.shuttingDown(settings.hostname))
    }

    /// The client stayed silent past its timeout (§4.5.3.2).
    public mutating func timedOut() -> Action {
        phase = .closed
        return .close(.timeout(settings.hostname))
    }

    // MARK: - Helpers

    /// Counts 5xx replies; past the limit, the reply becomes 421 and the connection closes.
    private mutating func counted(_ action: Action) -> Action {
        guard case .reply(let reply) = action, reply.isPermanentFailure else { return action }
        errors += 1
        guard errors >= settings.limits.errors else { return action }
        phase = .closed
        return .close(.tooManyErrors(settings.hostname))
    }

    /// The EHLO reply with this session's keywords (RFC 5321 §4.1.1.1 and each extension's RFC).
    private func ehloReply(_ domain: String) -> SMTPReply {
        var lines = ["\(settings.hostname) Hello \(domain)", "PIPELINING", "SIZE \(settings.limits.messageSize)",
                     "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING"]
        if settings.tlsAvailable && !tls { lines.append("STARTTLS") }
        if authenticationPermitted && authenticatedUser == nil { lines.append("AUTH PLAIN LOGIN") }
        return SMTPReply(250, nil, lines.joined(separator: "\n"))
    }

    /// The envelope handed to the backend.
    private func envelope(_ transaction: Transaction) -> SMTPEnvelope {
        SMTPEnvelope(id: "", mailFrom: transaction.mailFrom, recipients: transaction.recipients,
                     utf8: transaction.parameters.smtputf8, body: transaction.parameters.body ?? .sevenBit)
    }

    /// The `with` protocol of the `Received:` header: RFC 3848 (ESMTP, ESMTPA, ESMTPS, ESMTPSA) and
    /// RFC 6531 §3.7.3 (UTF8SMTP…) for SMTPUTF8 transactions.
    public func receivedProtocol(utf8: Bool) -> String {
        guard extended else { return "SMTP" }
        let suffix = (tls ? "S" : "") + (authenticatedUser != nil ? "A" : "")
        return (utf8 ? "UTF8SMTP" : "ESMTP") + suffix
    }

    /// What the backend may know about this session.
    public func info(clientAddress: String) -> SMTPSessionInfo {
        SMTPSessionInfo(listener: settings.listener, clientAddress: clientAddress, isLoopback: isLoopback,
                        helo: helo, tls: tls, authenticatedUser: authenticatedUser)
    }
}
