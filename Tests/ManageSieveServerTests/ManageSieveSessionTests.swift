import ManageSieveServer
import NIOCore
import ServerKit
import Testing

/// Every command in every state of RFC 5804 §2 (non-authenticated, authenticated, and while
/// waiting for the client's SASL answer), with the OK/NO/BYE answers and response codes.
@Suite struct ManageSieveSessionTests {
    static let alicePlain = Base64.encodeToString(SASLPlain.encode(SASLCredentials(username: "alice", password: "secret")))

    private func session(tls: Bool = false, tlsAvailable: Bool = true, loopback: Bool = true,
                         plaintextOnLoopback: Bool = true, errorLimit: Int = 20,
                         maximumScriptSize: Int = 1000) -> ManageSieveSession {
        ManageSieveSession(
            settings: .init(implementationName: "Tresor test", sieveExtensions: ["fileinto", "vacation"],
                            tlsAvailable: tlsAvailable, allowPlaintextAuthOnLoopback: plaintextOnLoopback,
                            maximumScriptSize: maximumScriptSize, errorLimit: errorLimit, authenticationFailureLimit: 3),
            tls: tls, isLoopback: loopback)
    }

    /// Logged in as alice.
    private func loggedIn() -> ManageSieveSession {
        var s = session()
        _ = s.connected(exceedsPerAddressLimit: false)
        _ = s.receive(.authenticate(mechanism: "PLAIN", initialResponse: Array(Self.alicePlain.utf8)))
        _ = s.authenticated(user: "alice")
        return s
    }

    private func response(_ action: ManageSieveSession.Action) -> ManageSieveResponse? {
        switch action {
        case .reply(let response), .close(let response), .startTLS(let response): response
        default: nil
        }
    }

    private func wire(_ action: ManageSieveSession.Action) -> String {
        response(action).map { String(buffer: $0.encoded) } ?? ""
    }

    private func isNo(_ action: ManageSieveSession.Action, code: ManageSieveResponseCode? = nil) -> Bool {
        guard case .reply(let response) = action, response.status == .no else { return false }
        return code == nil || response.code == code
    }

    private func isClose(_ action: ManageSieveSession.Action) -> Bool {
        if case .close = action { return true }
        return false
    }

    // MARK: - Greeting and capabilities

    @Test func greetingIsTheCapabilityListThenOK() {
        var s = session(loopback: false)
        #expect(wire(s.connected(exceedsPerAddressLimit: false)) == """
            "IMPLEMENTATION" "Tresor test"\r
            "SASL" ""\r
            "SIEVE" "fileinto vacation"\r
            "STARTTLS"\r
            "UNAUTHENTICATE"\r
            "VERSION" "1.0"\r
            OK "Tresor test ManageSieve ready"\r

            """)
    }

    @Test func overTheAddressLimitTheGreetingIsBye() {
        var s = session()
        let action = s.connected(exceedsPerAddressLimit: true)
        #expect(isClose(action))
        #expect(wire(action).hasPrefix("BYE (TRYLATER) "))
    }

    @Test func saslOffersPlainOnlyOverTLSOrAllowedLoopback() {
        var remote = session(loopback: false)
        #expect(wire(remote.receive(.capability)).contains("\"SASL\" \"\"\r\n"))
        var loopback = session(loopback: true, plaintextOnLoopback: true)
        #expect(wire(loopback.receive(.capability)).contains("\"SASL\" \"PLAIN\"\r\n"))
        var strictLoopback = session(loopback: true, plaintextOnLoopback: false)
        #expect(wire(strictLoopback.receive(.capability)).contains("\"SASL\" \"\"\r\n"))
        var secured = session(tls: true, loopback: false)
        let capabilities = wire(secured.receive(.capability))
        #expect(capabilities.contains("\"SASL\" \"PLAIN\"\r\n"))
        #expect(!capabilities.contains("STARTTLS"))
    }

    @Test func withoutTLSConfiguredStartTLSIsNeitherOfferedNorAccepted() {
        var s = session(tlsAvailable: false)
        #expect(!wire(s.receive(.capability)).contains("STARTTLS"))
        #expect(wire(s.receive(.startTLS)) == "NO \"TLS is not available\"\r\n")
    }

    // MARK: - STARTTLS

    @Test func startTLSThenTheCapabilitiesAgainWithoutStartTLSAndWithPlain() {
        var s = session(loopback: false)
        _ = s.connected(exceedsPerAddressLimit: false)
        let action = s.receive(.startTLS)
        guard case .startTLS(let ok) = action else { Issue.record("not startTLS: \(action)"); return }
        #expect(ok.status == .ok)
        let again = s.tlsStarted()
        #expect(s.tls)
        guard case .reply(let capabilities) = again else { Issue.record("no capabilities: \(again)"); return }
        let text = String(buffer: capabilities.encoded)
        #expect(text.contains("\"SASL\" \"PLAIN\"\r\n"))
        #expect(!text.contains("STARTTLS"))
        #expect(text.hasSuffix("OK \"TLS negotiation successful\"\r\n"))
        #expect(wire(s.receive(.startTLS)) == "NO \"TLS is already active\"\r\n")
    }

    @Test func startTLSAfterAuthenticationIsRefused() {
        var s = loggedIn()
        #expect(isNo(s.receive(.startTLS)))
        #expect(s.phase == .authenticated(user: "alice"))
    }

    // MARK: - AUTHENTICATE

    @Test func plainWithInitialResponseAsksTheBackendThenSaysOK() {
        var s = session()
        let action = s.receive(.authenticate(mechanism: "PLAIN", initialResponse: Array(Self.alicePlain.utf8)))
        #expect(action == .authenticate(SASLCredentials(username: "alice", password: "secret")))
        #expect(s.phase == .authenticating)
        #expect(!s.isIdle)
        #expect(wire(s.authenticated(user: "alice@example.test")) == "OK \"Logged in\"\r\n")
        #expect(s.phase == .authenticated(user: "alice@example.test"))
        let capabilities = wire(s.receive(.capability))
        #expect(capabilities.contains("\"OWNER\" \"alice@example.test\"\r\n"))
        #expect(!capabilities.contains("STARTTLS"))
    }

    @Test func plainWithoutInitialResponseSendsAnEmptyChallenge() {
        var s = session()
        #expect(s.receive(.authenticate(mechanism: "PLAIN", initialResponse: nil)) == .challenge([]))
        #expect(s.expectsSASLResponse)
        let action = s.receiveSASLResponse(ManageSieveCommandLine("\"\(Self.alicePlain)\""))
        #expect(action == .authenticate(SASLCredentials(username: "alice", password: "secret")))
    }

    @Test func aStarCancelsTheExchangeWithNo() {
        var s = session()
        _ = s.receive(.authenticate(mechanism: "PLAIN", initialResponse: nil))
        #expect(wire(s.receiveSASLResponse(ManageSieveCommandLine("\"*\""))) == "NO \"Authentication cancelled\"\r\n")
        #expect(s.phase == .nonAuthenticated)
    }

    @Test func aFramingErrorDuringTheExchangeEndsIt() {
        var s = session()
        _ = s.receive(.authenticate(mechanism: "PLAIN", initialResponse: nil))
        #expect(isNo(s.receive(ManageSieveSyntaxError.framing(.bareLineEnding))))
        #expect(!s.expectsSASLResponse)
    }

    @Test func wrongPasswordIsNoAndTheThirdIsBye() {
        var s = session()
        for attempt in 1...3 {
            _ = s.receive(.authenticate(mechanism: "PLAIN", initialResponse: Array(Self.alicePlain.utf8)))
            let action = s.authenticated(user: nil)
            if attempt < 3 {
                #expect(wire(action) == "NO \"Authentication failed\"\r\n")
                #expect(s.phase == .nonAuthenticated)
            } else {
                #expect(isClose(action))
                #expect(wire(action).hasPrefix("BYE "))
            }
        }
    }

    @Test func plainWithoutTLSIsRefusedWithEncryptNeeded() {
        var s = session(loopback: false)
        let action = s.receive(.authenticate(mechanism: "PLAIN", initialResponse: Array(Self.alicePlain.utf8)))
        #expect(isNo(action, code: .encryptNeeded))
        #expect(wire(action).contains("STARTTLS"))
    }

    @Test func unknownMechanismsBadBase64AndForeignAuthorizationIdentitiesAreRefused() {
        var s = session()
        #expect(wire(s.receive(.authenticate(mechanism: "GSSAPI", initialResponse: nil)))
            == "NO \"Unsupported authentication mechanism\"\r\n")
        #expect(wire(s.receive(.authenticate(mechanism: "PLAIN", initialResponse: Array("%%%".utf8))))
            == "NO \"Invalid base64\"\r\n")
        let proxy = Base64.encode(SASLPlain.encode(SASLCredentials(authorizationIdentity: "bob", username: "alice",
                                                                   password: "secret")))
        #expect(wire(s.receive(.authenticate(mechanism: "PLAIN", initialResponse: proxy)))
            == "NO \"Authorization identity not permitted\"\r\n")
        #expect(s.phase == .nonAuthenticated)
    }

    @Test func authenticateTwiceIsRefused() {
        var s = loggedIn()
        #expect(isNo(s.receive(.authenticate(mechanism: "PLAIN", initialResponse: nil))))
    }

    // MARK: - Commands by state

    static let scriptCommands: [ManageSieveCommand] = [
        .haveSpace(name: "a", size: 10), .putScript(name: "a", script: "keep;"), .listScripts,
        .setActive(name: "a"), .setActive(name: nil), .getScript(name: "a"), .deleteScript(name: "a"),
        .renameScript(name: "a", newName: "b"), .checkScript(script: "keep;"),
    ]

    @Test(arguments: scriptCommands)
    func scriptCommandsBeforeAuthenticationAreNo(_ command: ManageSieveCommand) {
        var s = session()
        #expect(wire(s.receive(command)) == "NO \"Authenticate first\"\r\n")
        #expect(s.phase == .nonAuthenticated)
    }

    static let operations: [(ManageSieveCommand, ManageSieveOperation)] = [
        (.haveSpace(name: "a", size: 10), .haveSpace(name: "a", size: 10)),
        (.putScript(name: "a", script: "keep;"), .putScript(name: "a", source: "keep;")),
        (.listScripts, .listScripts),
        (.setActive(name: "a"), .setActive(name: "a")),
        (.setActive(name: nil), .setActive(name: nil)),
        (.getScript(name: "a"), .getScript(name: "a")),
        (.deleteScript(name: "a"), .deleteScript(name: "a")),
        (.renameScript(name: "a", newName: "b"), .renameScript(name: "a", newName: "b")),
        (.checkScript(script: "keep;"), .checkScript(source: "keep;")),
    ]

    @Test(arguments: operations)
    func scriptCommandsAfterAuthenticationRunForTheUser(_ command: ManageSieveCommand, _ operation: ManageSieveOperation) {
        var s = loggedIn()
        #expect(s.receive(command) == .run(operation, user: "alice"))
        #expect(s.phase == .working(user: "alice", operation))
        #expect(!s.isIdle)
        // While the backend works, nothing else is accepted.
        #expect(isNo(s.receive(.noop(tag: nil))))
        let done = s.finished(.failed(.tryLater))
        #expect(wire(done).hasPrefix("NO (TRYLATER) "))
        #expect(s.phase == .authenticated(user: "alice"))
    }

    @Test(arguments: [false, true])
    func capabilityNoopAndLogoutWorkInEitherState(_ authenticated: Bool) {
        var s = authenticated ? loggedIn() : session()
        #expect(wire(s.receive(.capability)).hasSuffix("\"VERSION\" \"1.0\"\r\nOK \"Capability completed\"\r\n"))
        #expect(wire(s.receive(.noop(tag: nil))) == "OK \"Done\"\r\n")
        #expect(wire(s.receive(.noop(tag: Array("STARTTLS-SYNC-42".utf8)))) == "OK (TAG \"STARTTLS-SYNC-42\") \"Done\"\r\n")
        let logout = s.receive(.logout)
        #expect(isClose(logout))
        #expect(wire(logout) == "OK \"Logout completed\"\r\n")
        #expect(s.phase == .closed)
        #expect(isNo(s.receive(.capability)))
    }

    @Test func unauthenticateReturnsToTheNonAuthenticatedState() {
        var s = session()
        #expect(wire(s.receive(.unauthenticate)) == "NO \"Not authenticated\"\r\n")
        s = loggedIn()
        #expect(wire(s.receive(.unauthenticate)) == "OK \"Unauthenticate completed\"\r\n")
        #expect(s.phase == .nonAuthenticated)
        #expect(wire(s.receive(.listScripts)) == "NO \"Authenticate first\"\r\n")
    }

    // MARK: - Results

    @Test func listScriptsMarksTheActiveOne() {
        var s = loggedIn()
        _ = s.receive(.listScripts)
        let action = s.finished(.scripts([ManageSieveScriptInfo(name: "summer", active: false),
                                          ManageSieveScriptInfo(name: "main", active: true)]))
        #expect(wire(action) == "\"summer\"\r\n\"main\" ACTIVE\r\nOK \"Listscripts completed\"\r\n")
    }

    @Test func getScriptSendsTheBytesAsALiteral() {
        var s = loggedIn()
        _ = s.receive(.getScript(name: "main"))
        let source = "require \"fileinto\";\r\nfileinto \"Ünïcode\";\r\n"
        let action = s.finished(.script(source))
        #expect(wire(action) == "{\(source.utf8.count)}\r\n\(source)\r\nOK \"Getscript completed\"\r\n")
    }

    @Test(arguments: [
        (ManageSieveCommand.putScript(name: "a", script: "keep;"), "OK \"Putscript completed\"\r\n"),
        (.setActive(name: nil), "OK \"Script deactivated\"\r\n"),
        (.deleteScript(name: "a"), "OK \"Deletescript completed\"\r\n"),
        (.renameScript(name: "a", newName: "b"), "OK \"Renamescript completed\"\r\n"),
        (.checkScript(script: "keep;"), "OK \"Script is valid\"\r\n"),
        (.haveSpace(name: "a", size: 5), "OK \"Putscript would succeed\"\r\n"),
    ])
    func successfulOperationsAreOK(_ command: ManageSieveCommand, _ expected: String) {
        var s = loggedIn()
        _ = s.receive(command)
        #expect(wire(s.finished(.done)) == expected)
    }

    @Test func failuresCarryTheirCodes() {
        var s = loggedIn()
        _ = s.receive(.deleteScript(name: "main"))
        #expect(wire(s.finished(.failed(.active))).hasPrefix("NO (ACTIVE) "))
        _ = s.receive(.renameScript(name: "a", newName: "b"))
        #expect(wire(s.finished(.failed(.alreadyExists))).hasPrefix("NO (ALREADYEXISTS) "))
        _ = s.receive(.getScript(name: "none"))
        #expect(wire(s.finished(.failed(.nonexistent))).hasPrefix("NO (NONEXISTENT) "))
        _ = s.receive(.checkScript(script: "frob;"))
        #expect(wire(s.finished(.failed(.invalidScript("1:1: unknown command \"frob\""))))
            == "NO \"1:1: unknown command \\\"frob\\\"\"\r\n")
    }

    @Test func aResultThatDoesNotFitTheOperationIsNotPassedOn() {
        var s = loggedIn()
        _ = s.receive(.getScript(name: "a"))
        #expect(wire(s.finished(.done)).hasPrefix("NO (TRYLATER) "))
    }

    @Test func sizesOverTheLimitAreQuotaMaxSizeWithoutAskingTheBackend() {
        var s = loggedIn()
        #expect(wire(s.receive(.haveSpace(name: "a", size: 1001))) == "NO (QUOTA/MAXSIZE) \"Scripts are limited to 1000 octets\"\r\n")
        #expect(isNo(s.receive(.putScript(name: "a", script: String(repeating: "x", count: 1001))), code: .quotaMaxSize))
        #expect(isNo(s.receive(.putScript(name: "a", script: ""))))
        #expect(s.phase == .authenticated(user: "alice"))
    }

    // MARK: - Errors

    @Test func syntaxErrorsAreNoAndTheSessionGoesOn() {
        var s = session()
        #expect(wire(s.receive(ManageSieveSyntaxError.unknownCommand)) == "NO \"Unknown command\"\r\n")
        #expect(wire(s.receive(ManageSieveSyntaxError.badArguments("usage: X"))) == "NO \"usage: X\"\r\n")
        #expect(wire(s.receive(ManageSieveSyntaxError.framing(.literalTooLarge(5000))))
            == "NO (QUOTA/MAXSIZE) \"A literal of 5000 octets is over the limit of 1000\"\r\n")
        #expect(s.phase == .nonAuthenticated)
    }

    @Test func tooLongLinesAndUnskippableLiteralsCloseWithBye() {
        var s = session()
        let long = s.receive(ManageSieveSyntaxError.framing(.lineTooLong))
        #expect(isClose(long) && wire(long).hasPrefix("BYE "))
        var t = session()
        let huge = t.receive(ManageSieveSyntaxError.framing(.literalTooLargeToSkip))
        #expect(isClose(huge) && wire(huge).hasPrefix("BYE (QUOTA/MAXSIZE) "))
    }

    @Test func tooManyErrorsEndWithBye() {
        var s = session(errorLimit: 3)
        #expect(isNo(s.receive(ManageSieveSyntaxError.unknownCommand)))
        #expect(isNo(s.receive(.listScripts)))
        let third = s.receive(ManageSieveSyntaxError.emptyCommand)
        #expect(isClose(third))
        #expect(wire(third) == "BYE \"Too many errors; closing\"\r\n")
    }

    @Test func shutdownSaysByeTryLater() {
        var s = loggedIn()
        let action = s.shutdownRequested()
        #expect(isClose(action) && wire(action).hasPrefix("BYE (TRYLATER) "))
    }
}
