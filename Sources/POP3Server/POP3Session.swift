import ServerKit

/// The rules of one POP3 session (RFC 1939 §3-7: the AUTHORIZATION, TRANSACTION and UPDATE
/// states; RFC 2449 CAPA and response codes; RFC 2595 STLS; RFC 5034 AUTH), as a pure value:
/// each event returns the action the connection must carry out. No I/O, no clock, no NIO;
/// tested alone (`POP3SessionTests`).
public struct POP3Session: Sendable {
    /// What the session is fixed to for its life.
    public struct Settings: Sendable, Hashable {
        public var hostname: String
        /// STLS can be offered (a TLS context is configured).
        public var tlsAvailable: Bool
        public var allowPlaintextOnLoopback: Bool
        /// Failed commands before the connection is closed.
        public var errorLimit: Int

        public init(hostname: String, tlsAvailable: Bool = false, allowPlaintextOnLoopback: Bool = false,
                    errorLimit: Int = 20) {
            self.hostname = hostname
            self.tlsAvailable = tlsAvailable
            self.allowPlaintextOnLoopback = allowPlaintextOnLoopback
            self.errorLimit = errorLimit
        }
    }

    /// What the connection must do next.
    public enum Action: Hashable, Sendable {
        /// Send a response and read on.
        case reply(POP3Response)
        /// Send a response and close the connection.
        case close(POP3Response)
        /// Ask the backend about credentials, then call `authenticated(user:)`.
        case authenticate(SASLCredentials)
        /// Open and lock the user's maildrop, then call `maildropOpened(_:)`.
        case openMaildrop(user: String)
        /// Read the message's bytes; then send `status` and the encoded message (all of it, or
        /// the header and `bodyLines` lines for TOP), or, when they cannot be read, call
        /// `messageUnreadable()`.
        case sendMessage(POP3MessageInfo, status: POP3Response, bodyLines: Int?)
        /// Send the response in plaintext, start TLS, then call `tlsStarted()`.
        case startTLS(POP3Response)
        /// RFC 1939 §6: remove these messages, then call `deletionsCommitted(_:)`.
        case commitDeletions(user: String, [POP3MessageInfo])
    }

    /// RFC 1939 §3: where the session stands.
    public enum Phase: Hashable, Sendable {
        /// AUTHORIZATION; `user` once USER was accepted.
        case authorization(user: String?)
        /// AUTHORIZATION, waiting for the client's SASL response to `+ ` (RFC 5034 §4).
        case saslResponse
        /// AUTHORIZATION, waiting for the backend to check credentials.
        case authenticating
        /// AUTHORIZATION, waiting for the backend to open and lock the maildrop.
        case opening(user: String)
        /// TRANSACTION: the maildrop is open and locked.
        case transaction(user: String)
        /// UPDATE (after QUIT): waiting for the backend to remove the deleted messages.
        case update
        case closed
    }

    public let settings: Settings
    public private(set) var phase: Phase = .authorization(user: nil)
    /// The TLS layer is up (implicit TLS, or after STLS).
    public private(set) var tls: Bool
    public let isLoopback: Bool
    /// The open maildrop, numbered from 1 (RFC 1939 §5: numbers do not change in a session).
    public private(set) var messages: [POP3MessageInfo] = []
    /// Indices (0-based) into `messages` marked by DELE.
    public private(set) var deleted: Set<Int> = []
    private var errors = 0

    public init(settings: Settings, tls: Bool, isLoopback: Bool) {
        self.settings = settings
        self.tls = tls
        self.isLoopback = isLoopback
    }

    /// RFC 2595 §2.1: plaintext passwords only over TLS, or from this host when configured.
    public var plaintextAllowed: Bool { tls || (isLoopback && settings.allowPlaintextOnLoopback) }

    /// The connection reads the next line as a SASL response rather than as a command.
    public var expectsSASLResponse: Bool { phase == .saslResponse }

    /// Waiting for a command (not for the backend): a graceful shutdown may close it now.
    public var isIdle: Bool {
        switch phase {
        case .authorization, .transaction, .saslResponse: true
        case .authenticating, .opening, .update, .closed: false
        }
    }

    // MARK: - Events

    /// RFC 1939 §4: the greeting; or, past the per-address limit, a refusal (RFC 2449 §8: SYS/TEMP).
    public mutating func connected(exceedsPerAddressLimit: Bool) -> Action {
        connected(exceedsPerAddressLimit ? .tooManyFromAddress : .admitted)
    }

    /// The greeting, or -ERR [SYS/TEMP] (RFC 3206 §4: a temporary problem on the server's side)
    /// when a connection limit refuses the client.
    public mutating func connected(_ admission: ConnectionAdmission) -> Action {
        switch admission {
        case .admitted:
            return .reply(.ok("\(settings.hostname) POP3 server ready"))
        case .tooManyFromAddress:
            phase = .closed
            return .close(.error("Too many connections from your address", code: .systemTemporary))
        case .serverFull:
            phase = .closed
            return .close(.error("Too many connections, try again later", code: .systemTemporary))
        }
    }

    /// A command line that did not parse.
    public mutating func receive(_ error: POP3SyntaxError) -> Action {
        if phase == .saslResponse { phase = .authorization(user: nil) }
        switch error {
        case .unknownCommand: return fail(.error("Unknown command"))
        case .badArguments(let reason): return fail(.error(reason))
        case .lineTooLong: return fail(.error("Line too long"))
        case .bareLineEnding: return fail(.error("Lines must end with CRLF"))
        }
    }

    public mutating func receive(_ command: POP3Command) -> Action {
        switch phase {
        case .authorization(let user): return authorization(command, user: user)
        case .transaction(let user): return transaction(command, user: user)
        case .saslResponse, .authenticating, .opening, .update, .closed:
            return fail(.error("Command not expected now"))
        }
    }

    /// RFC 5034 §4: the client's answer to `+ `: base64, or "*" to cancel.
    public mutating func receiveSASLResponse(_ line: [UInt8]) -> Action {
        guard phase == .saslResponse else { return fail(.error("No authentication in progress")) }
        phase = .authorization(user: nil)
        if line == [UInt8(ascii: "*")] { return fail(.error("Authentication cancelled")) }
        return plain(line)
    }

    /// The backend's answer to `.authenticate`.
    public mutating func authenticated(user: String?) -> Action {
        guard phase == .authenticating else { return fail(.error("Command not expected now")) }
        guard let user else {
            phase = .authorization(user: nil)
            // RFC 3206 §4: [AUTH] says the credentials were the problem.
            return fail(.error("Authentication failed", code: .auth))
        }
        phase = .opening(user: user)
        return .openMaildrop(user: user)
    }

    /// The backend's answer to `.openMaildrop`.
    public mutating func maildropOpened(_ opening: POP3MaildropOpening) -> Action {
        guard case .opening(let user) = phase else { return fail(.error("Command not expected now")) }
        switch opening {
        case .opened(let list):
            messages = list
            deleted = []
            phase = .transaction(user: user)
            let (count, octets) = totals()
            return .reply(.ok("maildrop has \(count) messages (\(octets) octets)"))
        case .inUse:
            // RFC 2449 §8.1.1: another session holds the maildrop; back to AUTHORIZATION.
            phase = .authorization(user: nil)
            return fail(.error("Maildrop already locked by another session", code: .inUse))
        case .unavailable:
            phase = .authorization(user: nil)
            return fail(.error("Maildrop cannot be opened now", code: .systemTemporary))
        }
    }

    /// The message of a `.sendMessage` could not be read.
    public mutating func messageUnreadable() -> Action {
        fail(.error("Message cannot be read now", code: .systemTemporary))
    }

    /// The TLS handshake of STLS is under way: the session starts over (RFC 2595 §4: the
    /// client must discard what it knew, e.g. CAPA).
    public mutating func tlsStarted() {
        tls = true
        phase = .authorization(user: nil)
    }

    /// The backend's answer to `.commitDeletions`.
    public mutating func deletionsCommitted(_ success: Bool) -> Action {
        phase = .closed
        guard success else {
            // RFC 1939 §6: "-ERR some deleted messages not removed".
            return .close(.error("Some deleted messages not removed", code: .systemTemporary))
        }
        return .close(.ok("\(settings.hostname) POP3 server signing off (\(deleted.count) messages deleted)"))
    }

    /// A graceful shutdown reached an idle session: close it without UPDATE (nothing deleted).
    public mutating func shutdownRequested() -> Action {
        phase = .closed
        return .close(.error("Server shutting down", code: .systemTemporary))
    }

    /// The response sent when the autologout timer (RFC 1939 §3) fires; nothing is deleted.
    public static let autologout = POP3Response.error("Autologout: idle for too long")

    // MARK: - AUTHORIZATION

    private mutating func authorization(_ command: POP3Command, user: String?) -> Action {
        switch command {
        case .capabilities:
            return .reply(.ok("Capability list follows", lines: capabilities()))
        case .quit:
            // RFC 1939 §4: QUIT in AUTHORIZATION ends the session without UPDATE.
            phase = .closed
            return .close(.ok("\(settings.hostname) POP3 server signing off"))
        case .user(let name):
            guard plaintextAllowed else { return refusePlaintext() }
            phase = .authorization(user: name)
            return .reply(.ok("Send PASS"))
        case .pass(let password):
            guard plaintextAllowed else { return refusePlaintext() }
            guard let user else { return fail(.error("Send USER first")) }
            phase = .authenticating
            return .authenticate(SASLCredentials(username: user, password: password))
        case .apop:
            phase = .authorization(user: nil)
            return fail(.error("APOP is not supported; use USER/PASS or AUTH PLAIN over TLS"))
        case .auth(nil, _):
            // RFC 1734 clients list mechanisms with a bare AUTH; RFC 5034 clients use CAPA.
            return .reply(.ok("Mechanisms follow", lines: plaintextAllowed ? ["PLAIN"] : []))
        case .auth(let mechanism?, let initialResponse):
            phase = .authorization(user: nil)
            guard mechanism == SASLMechanism.plain.rawValue else {
                return fail(.error("Unsupported authentication mechanism"))
            }
            guard plaintextAllowed else { return refusePlaintext() }
            guard let initialResponse else {
                phase = .saslResponse
                return .reply(.continuation)
            }
            // RFC 5034 §4: "=" is an empty initial response.
            return plain(initialResponse == [UInt8(ascii: "=")] ? [] : initialResponse)
        case .startTLS:
            // RFC 2595 §4: only in AUTHORIZATION, only once, only when TLS can be offered.
            guard !tls else { return fail(.error("TLS is already active")) }
            guard settings.tlsAvailable else { return fail(.error("TLS is not available")) }
            return .startTLS(.ok("Begin TLS negotiation"))
        case .stat, .list, .retrieve, .delete, .noop, .reset, .top, .uniqueIDList:
            return fail(.error("Not allowed before authentication"))
        }
    }

    /// SASL PLAIN (RFC 4616 §2) from a base64 response.
    private mutating func plain(_ encoded: [UInt8]) -> Action {
        guard let decoded = Base64.decode(encoded) else { return fail(.error("Invalid base64")) }
        guard let credentials = SASLPlain.decode(decoded) else { return fail(.error("Invalid PLAIN message")) }
        if let identity = credentials.authorizationIdentity, identity != credentials.username {
            // RFC 4616 §2: acting as another identity is not offered.
            return fail(.error("Authorization identity not permitted", code: .auth))
        }
        phase = .authenticating
        return .authenticate(credentials)
    }

    /// RFC 2595 §2.1 and §4: no plaintext password without TLS; RFC 3206 §4: [AUTH].
    private mutating func refusePlaintext() -> Action {
        phase = .authorization(user: nil)
        let hint = settings.tlsAvailable ? "; use STLS first" : ""
        return fail(.error("Plaintext authentication disallowed without TLS\(hint)", code: .auth))
    }

    /// RFC 2449 §6: the capabilities of the current state.
    private func capabilities() -> [String] {
        var lines = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"]
        if case .authorization = phase {
            if plaintextAllowed { lines += ["USER", "SASL PLAIN"] }
            if settings.tlsAvailable && !tls { lines.append("STLS") }
        }
        lines.append("IMPLEMENTATION Tresor")
        return lines
    }

    // MARK: - TRANSACTION

    private mutating func transaction(_ command: POP3Command, user: String) -> Action {
        switch command {
        case .capabilities:
            return .reply(.ok("Capability list follows", lines: capabilities()))
        case .stat:
            // RFC 1939 §5: "+OK nn mm", deleted messages not counted.
            let (count, octets) = totals()
            return .reply(.ok("\(count) \(octets)"))
        case .list(nil):
            let (count, octets) = totals()
            let lines = live().map { "\($0 + 1) \(messages[$0].size)" }
            return .reply(.ok("\(count) messages (\(octets) octets)", lines: lines))
        case .list(let number?):
            guard let index = index(number) else { return noSuchMessage() }
            return .reply(.ok("\(number) \(messages[index].size)"))
        case .uniqueIDList(nil):
            let lines = live().map { "\($0 + 1) \(messages[$0].uniqueID)" }
            return .reply(.ok("Unique-ID listing follows", lines: lines))
        case .uniqueIDList(let number?):
            guard let index = index(number) else { return noSuchMessage() }
            return .reply(.ok("\(number) \(messages[index].uniqueID)"))
        case .retrieve(let number):
            guard let index = index(number) else { return noSuchMessage() }
            let message = messages[index]
            return .sendMessage(message, status: .ok("\(message.size) octets"), bodyLines: nil)
        case .top(let number, let lines):
            guard let index = index(number) else { return noSuchMessage() }
            return .sendMessage(messages[index], status: .ok("Top of message follows"), bodyLines: lines)
        case .delete(let number):
            guard number >= 1, number <= messages.count else { return noSuchMessage() }
            guard !deleted.contains(number - 1) else { return fail(.error("Message \(number) already deleted")) }
            deleted.insert(number - 1)
            return .reply(.ok("Message \(number) deleted"))
        case .noop:
            return .reply(.ok(""))
        case .reset:
            // RFC 1939 §5: unmark every message marked as deleted.
            deleted = []
            let (count, octets) = totals()
            return .reply(.ok("maildrop has \(count) messages (\(octets) octets)"))
        case .quit:
            // RFC 1939 §6: enter UPDATE; remove what was marked.
            let marked = deleted.sorted().map { messages[$0] }
            guard !marked.isEmpty else {
                phase = .closed
                return .close(.ok("\(settings.hostname) POP3 server signing off"))
            }
            phase = .update
            return .commitDeletions(user: user, marked)
        case .user, .pass, .apop, .auth:
            return fail(.error("Already authenticated"))
        case .startTLS:
            return fail(.error("STLS is only allowed before authentication"))
        }
    }

    /// Indices of the messages not marked as deleted.
    private func live() -> [Int] {
        messages.indices.filter { !deleted.contains($0) }
    }

    private func totals() -> (count: Int, octets: Int) {
        let indices = live()
        return (indices.count, indices.reduce(0) { $0 + messages[$1].size })
    }

    /// The 0-based index of a message number that exists and is not deleted.
    private func index(_ number: Int) -> Int? {
        guard number >= 1, number <= messages.count, !deleted.contains(number - 1) else { return nil }
        return number - 1
    }

    private mutating func noSuchMessage() -> Action {
        fail(.error("No such message"))
    }

    /// An `-ERR` for a client mistake; past the limit the connection is closed.
    private mutating func fail(_ response: POP3Response) -> Action {
        errors += 1
        guard errors < settings.errorLimit else {
            phase = .closed
            return .close(.error("Too many errors; closing"))
        }
        return .reply(response)
    }
}
