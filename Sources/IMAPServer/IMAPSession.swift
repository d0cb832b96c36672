import ServerKit

/// The rules of one IMAP session (RFC 3501 §3 / RFC 9051 §3: not authenticated, authenticated,
/// selected, logout), as a pure value: each event returns an `Action` for the connection to
/// carry out. No I/O, no clock, no NIO; storage only through `IMAPOperation`s whose results come
/// back through `finished(_:)`. Tested alone (`IMAPSessionTests`).
///
/// Invariants:
/// - One command at a time: while `pending` is set, the connection reads nothing and only
///   delivers the result of the operation it was asked to run.
/// - Untagged updates (EXISTS, EXPUNGE, FETCH FLAGS) are sent just before a tagged completion in
///   the selected state, after asking the backend what changed; EXPUNGE is held back during
///   FETCH, STORE and SEARCH (RFC 3501 §7.4.1), so their sequence numbers stay valid.
/// - Plaintext passwords only over TLS, or from this host when configured (RFC 9051 §11.1).
public struct IMAPSession: Sendable {
    /// What the session is fixed to for its life.
    public struct Settings: Sendable {
        public var serverName: String
        /// STARTTLS can be offered (a TLS context is configured).
        public var tlsAvailable: Bool
        public var allowPlaintextAuthOnLoopback: Bool
        public var limits: IMAPLimits
        public var errorLimit: Int
        public var authenticationFailureLimit: Int

        public init(serverName: String = "Tresor", tlsAvailable: Bool = false, allowPlaintextAuthOnLoopback: Bool = false,
                    limits: IMAPLimits = IMAPLimits(), errorLimit: Int = 20, authenticationFailureLimit: Int = 3) {
            self.serverName = serverName
            self.tlsAvailable = tlsAvailable
            self.allowPlaintextAuthOnLoopback = allowPlaintextAuthOnLoopback
            self.limits = limits
            self.errorLimit = errorLimit
            self.authenticationFailureLimit = authenticationFailureLimit
        }
    }

    /// RFC 3501 §3.
    public enum State: Hashable, Sendable {
        case notAuthenticated
        case authenticated
        case selected
        case logout
    }

    /// What the connection does after sending `responses`.
    public enum Next: Hashable, Sendable {
        /// Read the next command.
        case read
        /// Run the operation against the backend, then call `finished(_:)`.
        case perform(IMAPOperation)
        /// Check the credentials, then call `authenticated(user:)`.
        case authenticate(SASLCredentials)
        /// The last response was the continuation of AUTHENTICATE: read the next line as the
        /// client's SASL response (`IMAPCommandParser.expect(.authenticationResponse)`).
        case readAuthenticationResponse
        /// Send the responses in plaintext, start TLS, then call `tlsStarted()`.
        case startTLS
        /// IDLE (RFC 2177): wait for DONE (`.idleDone` from the parser) or for the mailbox to
        /// change (`mailboxChanged()`).
        case idle
        /// Close the connection.
        case close
    }

    public struct Action: Hashable, Sendable {
        public var responses: [IMAPResponse]
        public var next: Next

        public init(_ responses: [IMAPResponse], _ next: Next = .read) {
            self.responses = responses
            self.next = next
        }
    }

    public let settings: Settings
    public internal(set) var state: State = .notAuthenticated
    /// The user `authenticate` returned.
    public private(set) var user: String?
    /// The TLS layer is up (implicit TLS, or after STARTTLS).
    public private(set) var tls: Bool
    public let isLoopback: Bool
    /// ENABLEd extensions (RFC 5161), upper-cased: CONDSTORE (also turned on by its first use,
    /// RFC 7162 §3.1), UTF8=ACCEPT, IMAP4REV2.
    public internal(set) var enabled: Set<String> = []
    var selected: IMAPSelectedMailbox?
    /// The command in progress, waiting for the backend.
    var pending: Pending?
    /// Parsed messages of the selected mailbox, reused within and across commands.
    var cache = IMAPMessageCache()
    var errors = 0
    var authenticationFailures = 0
    /// The tag of the IDLE command in progress.
    var idleTag: String?
    /// A CONDSTORE-enabling command ran in the selected state: its completion owes the client an
    /// untagged OK [HIGHESTMODSEQ] (RFC 7162 §3.1).
    var highestModSeqOwed = false

    public init(settings: Settings, tls: Bool, isLoopback: Bool) {
        self.settings = settings
        self.tls = tls
        self.isLoopback = isLoopback
    }

    /// Mailbox names and quoted strings in UTF-8 (RFC 6855 §3, RFC 9051): the connection sets its
    /// parser and encoder from this after each action.
    public var utf8Enabled: Bool { enabled.contains("UTF8=ACCEPT") || enabled.contains("IMAP4REV2") }
    var condstore: Bool { enabled.contains("CONDSTORE") }
    var rev2: Bool { enabled.contains("IMAP4REV2") }

    /// RFC 9051 §11.1: plaintext credentials only over TLS, or from this host when configured.
    public var plaintextAllowed: Bool { tls || (isLoopback && settings.allowPlaintextAuthOnLoopback) }

    /// Waiting for a command (not for the backend): a graceful shutdown may close it now.
    public var isIdle: Bool { pending == nil && state != .logout }

    /// The selected mailbox and whether it is read-only, for the connection's IDLE watch.
    public var selectedMailbox: MailboxName? { selected?.name }

    /// RFC 9051 §7.1.5: autologout.
    public static let autologout = IMAPResponse.untaggedStatus(.bye, text: "Autologout; idle for too long")
    /// Graceful shutdown of an idle session (RFC 5530 §3 UNAVAILABLE).
    /// A streamed literal could not be written to the spool (disk full): the octets the client
    /// is sending cannot be kept, so the connection ends (RFC 9051 §7.1.5).
    public static let literalNotStored = IMAPResponse.untaggedStatus(
        .bye, code: .serverBug, text: "The message could not be stored; try again later")
    public static let shuttingDown = IMAPResponse.untaggedStatus(.bye, code: .unavailable, text: "Server shutting down")

    // MARK: - Capabilities

    /// RFC 3501 §7.2.1; what is offered depends on the state and on TLS (RFC 9051 §6.2.3).
    public var capabilities: [String] {
        var names = ["IMAP4rev1", "IMAP4rev2"]
        if state == .notAuthenticated {
            if settings.tlsAvailable, !tls { names.append("STARTTLS") }
            if plaintextAllowed { names.append("AUTH=PLAIN") } else { names.append("LOGINDISABLED") }
            names += ["SASL-IR", "ID", "ENABLE", "LITERAL+"]
            return names
        }
        names += [
            "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN", "SPECIAL-USE",
            "LIST-EXTENDED", "LIST-STATUS", "CONDSTORE", "ESEARCH", "UTF8=ACCEPT", "BINARY", "STATUS=SIZE",
            "CREATE-SPECIAL-USE", "MULTIAPPEND", "SEARCHRES", "QUOTA", "QUOTA=RES-STORAGE", "APPENDLIMIT=\(settings.limits.messageSize)",
        ]
        return names
    }

    // MARK: - Events

    /// RFC 3501 §7.1.1: the greeting, with the capabilities; past the per-address limit, BYE.
    public mutating func connected(exceedsPerAddressLimit: Bool) -> Action {
        connected(exceedsPerAddressLimit ? .tooManyFromAddress : .admitted)
    }

    /// The greeting, or BYE [UNAVAILABLE] (RFC 9051 §7.1.5 greeting BYE; RFC 5530 §3 UNAVAILABLE:
    /// a temporary condition) when a connection limit refuses the client.
    public mutating func connected(_ admission: ConnectionAdmission) -> Action {
        switch admission {
        case .admitted:
            return Action([.untaggedStatus(.ok, code: .capability(capabilities), text: "\(settings.serverName) IMAP ready")])
        case .tooManyFromAddress:
            state = .logout
            return Action([.untaggedStatus(.bye, code: .unavailable, text: "Too many connections from your address")], .close)
        case .serverFull:
            state = .logout
            return Action([.untaggedStatus(.bye, code: .unavailable, text: "Too many connections, try again later")], .close)
        }
    }

    /// One event of the command parser.
    public mutating func receive(_ event: IMAPCommandParser.Event) -> Action {
        switch event {
        case .command(let tagged): return receive(tagged)
        case .continuationRequest: return Action([.continuation("Ready for literal data")])
        case .continuationLine(let line): return receiveAuthenticationResponse(line)
        case .idleDone: return idleDone()
        case .literalOctets:
            // The connection spools these itself; nothing for the session to do.
            return Action([])
        case .error(let error):
            if error.closesConnection {
                state = .logout
                return Action([IMAPResponse(error), .untaggedStatus(.bye, text: "Connection closed")], .close)
            }
            return fail(IMAPResponse(error))
        }
    }

    /// A complete command.
    public mutating func receive(_ tagged: IMAPTaggedCommand) -> Action {
        let tag = tagged.tag
        guard pending == nil, idleTag == nil else { return bad(tag, "Command not expected now") }
        switch tagged.command {
        // Any state, RFC 3501 §6.1
        case .capability:
            return Action([.data(.capability(capabilities)), ok(tag, "CAPABILITY completed")])
        case .noop, .check:
            if tagged.command == .check, state != .selected { return wrongState(tag, tagged.command) }
            return complete(tag, text: "\(tagged.command.name) completed", allowExpunge: true)
        case .logout:
            state = .logout
            pending = nil
            return Action([.untaggedStatus(.bye, text: "\(settings.serverName) logging out"), ok(tag, "LOGOUT completed")],
                          .close)
        case .id:
            // RFC 2971 §3.3: the server's own identification.
            return Action([.data(.id([IDParameter(field: "name", value: settings.serverName)])), ok(tag, "ID completed")])
        // Not authenticated, §6.2
        case .startTLS, .login, .authenticate:
            guard state == .notAuthenticated else { return bad(tag, "Already authenticated") }
            return notAuthenticated(tag, tagged.command)
        default:
            break
        }
        guard state == .authenticated || state == .selected else {
            return bad(tag, "Please log in first (\(tagged.command.name) needs the authenticated state)")
        }
        return authenticatedCommand(tag, tagged.command)
    }

    // MARK: - Not authenticated

    private mutating func notAuthenticated(_ tag: String, _ command: IMAPCommand) -> Action {
        switch command {
        case .startTLS:
            // RFC 3501 §6.2.1.
            guard settings.tlsAvailable, !tls else { return bad(tag, "TLS is not available now") }
            return Action([ok(tag, "Begin TLS negotiation now")], .startTLS)
        case .login(let user, let password):
            // RFC 3501 §6.2.3 / RFC 9051 §6.2.3: not without TLS (LOGINDISABLED).
            guard plaintextAllowed else {
                return Action([.tagged(tag: tag, status: .no, code: .privacyRequired, text: "LOGIN needs TLS; use STARTTLS first")])
            }
            guard let username = String(validating: user, as: UTF8.self),
                let secret = String(validating: password, as: UTF8.self)
            else {
                return bad(tag, "user name and password must be UTF-8")
            }
            pending = .authenticate(tag: tag)
            return Action([], .authenticate(SASLCredentials(username: username, password: secret)))
        case .authenticate(let mechanism, let initialResponse):
            // RFC 3501 §6.2.2, RFC 4959 (SASL-IR), RFC 4616 (PLAIN).
            guard mechanism == "PLAIN" else {
                return Action([.tagged(tag: tag, status: .no, text: "Unsupported authentication mechanism \(mechanism)")])
            }
            guard plaintextAllowed else {
                return Action([.tagged(tag: tag, status: .no, code: .privacyRequired, text: "AUTHENTICATE PLAIN needs TLS")])
            }
            guard let initial = initialResponse else {
                pending = .saslResponse(tag: tag)
                return Action([.continuation("")], .readAuthenticationResponse)
            }
            return plainResponse(tag, initial)
        default:
            return bad(tag, "Command not expected now")
        }
    }

    /// RFC 3501 §6.2.2: the client's answer to the AUTHENTICATE continuation; "*" cancels.
    public mutating func receiveAuthenticationResponse(_ line: [UInt8]) -> Action {
        guard case .saslResponse(let tag) = pending else { return fail(.untaggedStatus(.bad, text: "No authentication in progress")) }
        pending = nil
        if line == [UInt8(ascii: "*")] { return bad(tag, "Authentication cancelled") }
        return plainResponse(tag, line)
    }

    private mutating func plainResponse(_ tag: String, _ base64: [UInt8]) -> Action {
        guard let decoded = Base64.decode(base64), let credentials = SASLPlain.decode(decoded) else {
            return bad(tag, "Invalid SASL PLAIN response")
        }
        if let authzid = credentials.authorizationIdentity, authzid != credentials.username {
            return Action([.tagged(tag: tag, status: .no, code: .authorizationFailed, text: "Cannot act as another user")])
        }
        pending = .authenticate(tag: tag)
        return Action([], .authenticate(credentials))
    }

    /// The backend's answer to `.authenticate`.
    public mutating func authenticated(user: String?) -> Action {
        guard case .authenticate(let tag) = pending else { return fail(.untaggedStatus(.bad, text: "Not authenticating")) }
        pending = nil
        guard let user else {
            authenticationFailures += 1
            let refusal = IMAPResponse.tagged(tag: tag, status: .no, code: .authenticationFailed, text: "Authentication failed")
            if authenticationFailures >= settings.authenticationFailureLimit {
                state = .logout
                return Action([refusal, .untaggedStatus(.bye, text: "Too many failed logins")], .close)
            }
            return Action([refusal])
        }
        self.user = user
        state = .authenticated
        // RFC 9051 §6.2.3: the capabilities may change after login; say so in the response.
        return Action([.tagged(tag: tag, status: .ok, code: .capability(capabilities), text: "Logged in")])
    }

    /// The TLS handshake of STARTTLS is under way. RFC 3501 §6.2.1: the client forgets what it
    /// knew; nothing of the session changes but TLS.
    public mutating func tlsStarted() {
        tls = true
    }

    /// A graceful shutdown reached an idle session.
    public mutating func shutdownRequested() -> Action {
        state = .logout
        return Action([Self.shuttingDown], .close)
    }

    // MARK: - Helpers

    /// RFC 7162 §3.1: the first CONDSTORE-enabling command (FETCH MODSEQ or CHANGEDSINCE, SEARCH
    /// MODSEQ, STORE UNCHANGEDSINCE) turns CONDSTORE on; issued while a mailbox is selected, the
    /// server tells the client the mailbox's HIGHESTMODSEQ before the command completes, as
    /// SELECT would have (§3.1.2.1).
    mutating func enableCondstoreByUse() {
        guard !condstore else { return }
        enabled.insert("CONDSTORE")
        if selected != nil { highestModSeqOwed = true }
    }

    func ok(_ tag: String, _ text: String, code: IMAPResponseCode? = nil) -> IMAPResponse {
        .tagged(tag: tag, status: .ok, code: code, text: text)
    }

    func no(_ tag: String, _ text: String, code: IMAPResponseCode? = nil) -> IMAPResponse {
        .tagged(tag: tag, status: .no, code: code, text: text)
    }

    mutating func bad(_ tag: String, _ text: String) -> Action {
        fail(.tagged(tag: tag, status: .bad, text: text))
    }

    /// A refused command; too many of them end the session (a client that only errs is broken
    /// or probing).
    mutating func fail(_ response: IMAPResponse) -> Action {
        errors += 1
        if errors >= settings.errorLimit {
            state = .logout
            return Action([response, .untaggedStatus(.bye, text: "Too many errors")], .close)
        }
        return Action([response])
    }

    mutating func wrongState(_ tag: String, _ command: IMAPCommand) -> Action {
        bad(tag, "\(command.name) needs a selected mailbox")
    }

    /// The response for a backend refusal (RFC 5530 codes).
    func refusal(_ tag: String, _ error: IMAPBackendError, tryCreate: Bool = false) -> IMAPResponse {
        switch error {
        case .nonExistent:
            return tryCreate
                ? no(tag, "Mailbox does not exist", code: .tryCreate) : no(tag, "Mailbox does not exist", code: .nonExistent)
        case .alreadyExists: return no(tag, "Mailbox already exists", code: .alreadyExists)
        case .cannot(let why): return no(tag, why, code: .cannot)
        case .noPermission: return no(tag, "Permission denied", code: .noPerm)
        case .overQuota: return no(tag, "Quota exceeded", code: .overQuota)
        case .limit(let why): return no(tag, why, code: .limit)
        case .unavailable: return no(tag, "Storage temporarily unavailable", code: .unavailable)
        case .mailboxGone: return no(tag, "Mailbox was removed", code: .nonExistent)
        case .specialUseRefused(let why): return no(tag, why, code: .useAttr)
        }
    }
}
