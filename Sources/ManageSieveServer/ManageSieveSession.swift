import ServerKit

/// The rules of one ManageSieve session (RFC 5804 §2: the non-authenticated and authenticated
/// states, STARTTLS, AUTHENTICATE PLAIN, the script commands), as a pure value: each event
/// returns the action the connection must carry out. No I/O, no clock, no NIO; tested alone
/// (`ManageSieveSessionTests`).
public struct ManageSieveSession: Sendable {
    /// What the session is fixed to for its life.
    public struct Settings: Sendable, Hashable {
        /// The IMPLEMENTATION capability.
        public var implementationName: String
        /// The SIEVE capability: the extensions the backend's Sieve compiler supports.
        public var sieveExtensions: [String]
        /// STARTTLS can be offered (a TLS context is configured).
        public var tlsAvailable: Bool
        public var allowPlaintextAuthOnLoopback: Bool
        /// Scripts over this size are refused with QUOTA/MAXSIZE (HAVESPACE, PUTSCRIPT).
        public var maximumScriptSize: Int
        /// Failed commands before BYE.
        public var errorLimit: Int
        /// Failed authentications before BYE.
        public var authenticationFailureLimit: Int

        public init(implementationName: String = "Tresor", sieveExtensions: [String] = [], tlsAvailable: Bool = false,
                    allowPlaintextAuthOnLoopback: Bool = false, maximumScriptSize: Int = 1 << 20,
                    errorLimit: Int = 20, authenticationFailureLimit: Int = 3) {
            self.implementationName = implementationName
            self.sieveExtensions = sieveExtensions
            self.tlsAvailable = tlsAvailable
            self.allowPlaintextAuthOnLoopback = allowPlaintextAuthOnLoopback
            self.maximumScriptSize = maximumScriptSize
            self.errorLimit = errorLimit
            self.authenticationFailureLimit = authenticationFailureLimit
        }
    }

    /// What the connection must do next.
    public enum Action: Hashable, Sendable {
        /// Send the response and read on.
        case reply(ManageSieveResponse)
        /// Send the response and close the connection.
        case close(ManageSieveResponse)
        /// RFC 5804 §2.1: send a SASL challenge (a string line); the next command line is the
        /// client's answer, for `receiveSASLResponse(_:)`.
        case challenge([UInt8])
        /// Ask the backend about the credentials, then call `authenticated(user:)`.
        case authenticate(SASLCredentials)
        /// Run the operation for the user, then call `finished(_:)`.
        case run(ManageSieveOperation, user: String)
        /// Send the response in plaintext, start TLS, then call `tlsStarted()` and carry out
        /// what it returns.
        case startTLS(ManageSieveResponse)
    }

    /// Where the session stands (RFC 5804 §2).
    public enum Phase: Hashable, Sendable {
        case nonAuthenticated
        /// Waiting for the client's answer to the empty challenge of AUTHENTICATE "PLAIN".
        case saslResponse
        /// Waiting for the backend to check credentials.
        case authenticating
        case authenticated(user: String)
        /// Authenticated, waiting for the backend to run an operation.
        case working(user: String, ManageSieveOperation)
        case closed
    }

    public let settings: Settings
    public private(set) var phase: Phase = .nonAuthenticated
    /// The TLS layer is up (after STARTTLS).
    public private(set) var tls: Bool
    public let isLoopback: Bool
    private var errors = 0
    private var authenticationFailures = 0

    public init(settings: Settings, tls: Bool = false, isLoopback: Bool) {
        self.settings = settings
        self.tls = tls
        self.isLoopback = isLoopback
    }

    /// RFC 5804 §2.1: PLAIN over TLS; from this host too when configured.
    public var plaintextAllowed: Bool { tls || (isLoopback && settings.allowPlaintextAuthOnLoopback) }

    /// The connection reads the next command line as a SASL response.
    public var expectsSASLResponse: Bool { phase == .saslResponse }

    /// Waiting for the client (not for the backend): a graceful shutdown may close it now.
    public var isIdle: Bool {
        switch phase {
        case .nonAuthenticated, .saslResponse, .authenticated: true
        case .authenticating, .working, .closed: false
        }
    }

    /// Logged in (RFC 5804 §1.3: the idle timeout may be shorter before).
    public var isAuthenticated: Bool {
        switch phase {
        case .authenticated, .working: true
        case .nonAuthenticated, .saslResponse, .authenticating, .closed: false
        }
    }

    // MARK: - Events

    /// RFC 5804 §1.7: the greeting is the capability list and OK; past the per-address limit,
    /// BYE (TRYLATER).
    public mutating func connected(exceedsPerAddressLimit: Bool) -> Action {
        connected(exceedsPerAddressLimit ? .tooManyFromAddress : .admitted)
    }

    /// The capabilities as greeting (RFC 5804 §1.7), or BYE (TRYLATER) when a connection limit
    /// refuses the client (RFC 5804 §1.3: TRYLATER, a temporary condition).
    public mutating func connected(_ admission: ConnectionAdmission) -> Action {
        switch admission {
        case .admitted:
            return .reply(capabilities(text: "\(settings.implementationName) ManageSieve ready"))
        case .tooManyFromAddress:
            phase = .closed
            return .close(.bye("Too many connections from your address", code: .tryLater))
        case .serverFull:
            phase = .closed
            return .close(.bye("Too many connections, try again later", code: .tryLater))
        }
    }

    public mutating func receive(_ command: ManageSieveCommand) -> Action {
        switch phase {
        case .nonAuthenticated: return nonAuthenticated(command)
        case .authenticated(let user): return authenticated(command, user: user)
        case .saslResponse, .authenticating, .working, .closed: return fail(.no("Command not expected now"))
        }
    }

    /// A command that could not be framed or parsed.
    public mutating func receive(_ error: ManageSieveSyntaxError) -> Action {
        if phase == .saslResponse { phase = .nonAuthenticated }
        switch error {
        case .emptyCommand: return fail(.no("Empty command"))
        case .unknownCommand: return fail(.no("Unknown command"))
        case .badArguments(let reason), .badScriptName(let reason): return fail(.no(reason))
        case .framing(.bareLineEnding): return fail(.no("Lines must end with CRLF"))
        case .framing(.tooManyLiterals): return fail(.no("Too many literals in one command"))
        case .framing(.literalTooLarge(let size)):
            // RFC 5804 §1.3: QUOTA/MAXSIZE, the maximum script size. The octets were consumed.
            return fail(.no("A literal of \(size) octets is over the limit of \(settings.maximumScriptSize)",
                            code: .quotaMaxSize))
        case .framing(.lineTooLong):
            phase = .closed
            return .close(.bye("Line too long"))
        case .framing(.literalTooLargeToSkip):
            phase = .closed
            return .close(.bye("Literal too large", code: .quotaMaxSize))
        }
    }

    /// RFC 5804 §2.1: the client's answer to the challenge: a string with base64, "*" cancels.
    public mutating func receiveSASLResponse(_ line: ManageSieveCommandLine) -> Action {
        guard phase == .saslResponse else { return fail(.no("No authentication in progress")) }
        phase = .nonAuthenticated
        let response: [UInt8]
        do throws(ManageSieveSyntaxError) {
            response = try ManageSieveCommand.saslResponse(parsing: line)
        } catch {
            return fail(.no("Invalid SASL response"))
        }
        // "If the server receives such a response, it MUST reject the AUTHENTICATE command by
        // sending a NO reply."
        if response == [UInt8(ascii: "*")] { return fail(.no("Authentication cancelled")) }
        return plain(response)
    }

    /// The backend's answer to `.authenticate`.
    public mutating func authenticated(user: String?) -> Action {
        guard phase == .authenticating else { return fail(.no("Command not expected now")) }
        guard let user else {
            phase = .nonAuthenticated
            authenticationFailures += 1
            guard authenticationFailures < settings.authenticationFailureLimit else {
                phase = .closed
                return .close(.bye("Too many failed authentication attempts"))
            }
            return .reply(.no("Authentication failed"))
        }
        phase = .authenticated(user: user)
        // No SASL security layer with PLAIN, so no capability list here (§2.1, response-authenticate).
        return .reply(.ok("Logged in"))
    }

    /// The backend's answer to `.run`.
    public mutating func finished(_ result: ManageSieveOperationResult) -> Action {
        guard case .working(let user, let operation) = phase else { return fail(.no("Command not expected now")) }
        phase = .authenticated(user: user)
        switch (operation, result) {
        case (_, .failed(let failure)):
            return .reply(ManageSieveResponse(failure))
        case (.listScripts, .scripts(let scripts)):
            // RFC 5804 §2.7: one name per line; the atom ACTIVE after the active one.
            let lines: [[ManageSieveWord]] = scripts.map { script in
                script.active ? [.text(script.name), .atom("ACTIVE")] : [.text(script.name)]
            }
            return .reply(.ok("Listscripts completed", data: lines))
        case (.getScript, .script(let source)):
            // RFC 5804 §2.9: the script as a string (a literal unless tiny), then OK.
            return .reply(.ok("Getscript completed", data: [[.string(Array(source.utf8))]]))
        case (.haveSpace, .done): return .reply(.ok("Putscript would succeed"))
        case (.putScript, .done): return .reply(.ok("Putscript completed"))
        case (.setActive(let name), .done): return .reply(.ok(name == nil ? "Script deactivated" : "Setactive completed"))
        case (.deleteScript, .done): return .reply(.ok("Deletescript completed"))
        case (.renameScript, .done): return .reply(.ok("Renamescript completed"))
        case (.checkScript, .done): return .reply(.ok("Script is valid"))
        default:
            // A backend answer that does not fit the operation: a bug, reported as temporary.
            return .reply(.no("Unexpected backend answer", code: .tryLater))
        }
    }

    /// The TLS handshake of STARTTLS is under way: the session starts over, and RFC 5804 §2.2
    /// requires the capability list again (without STARTTLS), followed by OK.
    public mutating func tlsStarted() -> Action {
        tls = true
        phase = .nonAuthenticated
        return .reply(capabilities(text: "TLS negotiation successful"))
    }

    /// A graceful shutdown reached an idle session.
    public mutating func shutdownRequested() -> Action {
        phase = .closed
        return .close(.bye("Server shutting down", code: .tryLater))
    }

    /// Sent when the client stayed silent too long (RFC 5804 §1.3: BYE, then hang up).
    public static let idleFarewell = ManageSieveResponse.bye("Idle for too long; closing")

    // MARK: - Non-authenticated state

    // RFC 5804 §2: before authentication only AUTHENTICATE, CAPABILITY, STARTTLS, LOGOUT and NOOP
    // (and extensions' commands) are valid; "Servers MUST reject all other commands with a NO".
    private mutating func nonAuthenticated(_ command: ManageSieveCommand) -> Action {
        switch command {
        case .capability, .logout, .noop:
            return any(command)
        case .startTLS:
            // §2.2: only in the non-authenticated state, once, when TLS can be offered.
            guard !tls else { return fail(.no("TLS is already active")) }
            guard settings.tlsAvailable else { return fail(.no("TLS is not available")) }
            return .startTLS(.ok("Begin TLS negotiation now"))
        case .authenticate(let mechanism, let initialResponse):
            guard mechanism == SASLMechanism.plain.rawValue else {
                return fail(.no("Unsupported authentication mechanism"))
            }
            guard plaintextAllowed else {
                let hint = settings.tlsAvailable ? "; use STARTTLS first" : ""
                return fail(.no("Plaintext authentication requires TLS\(hint)", code: .encryptNeeded))
            }
            guard let initialResponse else {
                // §2.1: an empty challenge is sent as an empty string.
                phase = .saslResponse
                return .challenge([])
            }
            return plain(initialResponse)
        case .unauthenticate:
            // §2.14.1: "If issued in a wrong state, the server MUST reject it with a NO response."
            return fail(.no("Not authenticated"))
        case .haveSpace, .putScript, .listScripts, .setActive, .getScript, .deleteScript, .renameScript,
             .checkScript:
            return fail(.no("Authenticate first"))
        }
    }

    /// SASL PLAIN (RFC 4616 §2) from a base64 response.
    private mutating func plain(_ encoded: [UInt8]) -> Action {
        guard let decoded = Base64.decode(encoded) else { return fail(.no("Invalid base64")) }
        guard let credentials = SASLPlain.decode(decoded) else { return fail(.no("Invalid PLAIN message")) }
        if let identity = credentials.authorizationIdentity, identity != credentials.username {
            // Acting as another user (proxy authorization, §2.1 SHOULD) is not offered.
            return fail(.no("Authorization identity not permitted"))
        }
        phase = .authenticating
        return .authenticate(credentials)
    }

    // MARK: - Authenticated state

    private mutating func authenticated(_ command: ManageSieveCommand, user: String) -> Action {
        switch command {
        case .capability, .logout, .noop:
            return any(command)
        case .authenticate:
            // §2.1: "After a successful AUTHENTICATE command completes, a server MUST reject any
            // further AUTHENTICATE commands with a NO reply."
            return fail(.no("Already authenticated"))
        case .startTLS:
            return fail(.no("STARTTLS is only allowed before authentication"))
        case .unauthenticate:
            // §2.14.1: back to the non-authenticated state; never fails.
            phase = .nonAuthenticated
            return .reply(.ok("Unauthenticate completed"))
        case .haveSpace(let name, let size):
            guard size <= settings.maximumScriptSize else { return .reply(scriptTooLarge()) }
            return run(.haveSpace(name: name, size: size), user: user)
        case .putScript(let name, let script):
            // §2.6: "A script of zero length SHOULD be disallowed."
            guard !script.isEmpty else { return .reply(.no("A script may not be empty")) }
            guard script.utf8.count <= settings.maximumScriptSize else { return .reply(scriptTooLarge()) }
            return run(.putScript(name: name, source: script), user: user)
        case .listScripts:
            return run(.listScripts, user: user)
        case .setActive(let name):
            return run(.setActive(name: name), user: user)
        case .getScript(let name):
            return run(.getScript(name: name), user: user)
        case .deleteScript(let name):
            return run(.deleteScript(name: name), user: user)
        case .renameScript(let name, let newName):
            return run(.renameScript(name: name, newName: newName), user: user)
        case .checkScript(let script):
            guard script.utf8.count <= settings.maximumScriptSize else { return .reply(scriptTooLarge()) }
            return run(.checkScript(source: script), user: user)
        }
    }

    private mutating func run(_ operation: ManageSieveOperation, user: String) -> Action {
        phase = .working(user: user, operation)
        return .run(operation, user: user)
    }

    private func scriptTooLarge() -> ManageSieveResponse {
        .no("Scripts are limited to \(settings.maximumScriptSize) octets", code: .quotaMaxSize)
    }

    // MARK: - Any state

    /// CAPABILITY, LOGOUT and NOOP, valid in every state (§4, command-any).
    private mutating func any(_ command: ManageSieveCommand) -> Action {
        switch command {
        case .logout:
            // §2.3 (errata 7825): always OK, then the server closes.
            phase = .closed
            return .close(.ok("Logout completed"))
        case .noop(let tag):
            // §2.13: OK, with the TAG response code when a tag was given.
            return .reply(.ok("Done", code: tag.map { .tag($0) }))
        default:
            return .reply(capabilities(text: "Capability completed"))
        }
    }

    /// RFC 5804 §1.7: the capabilities of the current state, then OK.
    private func capabilities(text: String) -> ManageSieveResponse {
        var lines: [[ManageSieveWord]] = [
            [.text("IMPLEMENTATION"), .text(settings.implementationName)],
            // "This list can be empty if and only if STARTTLS is also advertised."
            [.text("SASL"), .text(plaintextAllowed ? SASLMechanism.plain.rawValue : "")],
            [.text("SIEVE"), .text(settings.sieveExtensions.joined(separator: " "))],
        ]
        // "This capability SHOULD NOT be advertised once STARTTLS or AUTHENTICATE command completes."
        if settings.tlsAvailable && !tls && !isAuthenticated { lines.append([.text("STARTTLS")]) }
        if case .authenticated(let user) = phase { lines.append([.text("OWNER"), .text(user)]) }
        lines.append([.text("UNAUTHENTICATE")])
        lines.append([.text("VERSION"), .text("1.0")])
        return .ok(text, data: lines)
    }

    /// A NO for a client mistake; past the limit, BYE and close.
    private mutating func fail(_ response: ManageSieveResponse) -> Action {
        errors += 1
        guard errors < settings.errorLimit else {
            phase = .closed
            return .close(.bye("Too many errors; closing"))
        }
        return .reply(response)
    }
}
