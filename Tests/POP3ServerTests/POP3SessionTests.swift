import POP3Server
import ServerKit
import Testing

/// Every command in every state of RFC 1939 §3 (AUTHORIZATION, TRANSACTION, UPDATE), with the
/// `+OK`/`-ERR` answers and the response codes of RFC 2449 §8 and RFC 3206.
@Suite struct POP3SessionTests {
    static let maildrop = [
        POP3MessageInfo(key: "a", uniqueID: "100.1", size: 120),
        POP3MessageInfo(key: "b", uniqueID: "100.2", size: 30),
        POP3MessageInfo(key: "c", uniqueID: "100.3", size: 7),
    ]

    private func session(tls: Bool = false, tlsAvailable: Bool = true, loopback: Bool = true,
                         plaintextOnLoopback: Bool = true, errorLimit: Int = 20) -> POP3Session {
        POP3Session(settings: .init(hostname: "pop.test", tlsAvailable: tlsAvailable,
                                    allowPlaintextOnLoopback: plaintextOnLoopback, errorLimit: errorLimit),
                    tls: tls, isLoopback: loopback)
    }

    /// Logged in with USER/PASS and the maildrop open.
    private func inTransaction(_ messages: [POP3MessageInfo] = maildrop) -> POP3Session {
        var s = session()
        _ = s.connected(exceedsPerAddressLimit: false)
        _ = s.receive(.user("alice"))
        _ = s.receive(.pass("secret"))
        _ = s.authenticated(user: "alice@localhost")
        _ = s.maildropOpened(.opened(messages))
        return s
    }

    private func response(_ action: POP3Session.Action) -> POP3Response? {
        switch action {
        case .reply(let response), .close(let response): response
        default: nil
        }
    }

    private func isOK(_ action: POP3Session.Action) -> Bool { response(action)?.status == .ok }
    private func isError(_ action: POP3Session.Action, code: POP3ResponseCode? = nil) -> Bool {
        guard let response = response(action), response.status == .error else { return false }
        return code == nil || response.code == code
    }
    private func wire(_ action: POP3Session.Action) -> String {
        guard let response = response(action) else { return "" }
        return String(buffer: response.encoded)
    }

    // MARK: - Greeting

    @Test func greetingIsOKAndOverLimitClientsGetSysTemp() {
        var s = session()
        #expect(wire(s.connected(exceedsPerAddressLimit: false)) == "+OK pop.test POP3 server ready\r\n")
        var t = session()
        let refusal = t.connected(exceedsPerAddressLimit: true)
        guard case .close = refusal else { Issue.record("not closed: \(refusal)"); return }
        #expect(wire(refusal).hasPrefix("-ERR [SYS/TEMP] "))
    }

    // MARK: - AUTHORIZATION

    @Test func userThenPassAsksTheBackendThenOpensTheMaildrop() {
        var s = session()
        #expect(isOK(s.receive(.user("alice"))))
        #expect(s.receive(.pass("pass word")) == .authenticate(SASLCredentials(username: "alice", password: "pass word")))
        #expect(s.phase == .authenticating && !s.isIdle)
        #expect(s.authenticated(user: "alice@localhost") == .openMaildrop(user: "alice@localhost"))
        let opened = s.maildropOpened(.opened(Self.maildrop))
        #expect(wire(opened) == "+OK maildrop has 3 messages (157 octets)\r\n")
        #expect(s.phase == .transaction(user: "alice@localhost"))
    }

    @Test func passWithoutUserIsRefused() {
        var s = session()
        #expect(isError(s.receive(.pass("secret"))))
        #expect(s.phase == .authorization(user: nil))
    }

    @Test func wrongPasswordIsAuthCodeAndStaysInAuthorization() {
        var s = session()
        _ = s.receive(.user("alice"))
        _ = s.receive(.pass("wrong"))
        #expect(isError(s.authenticated(user: nil), code: .auth))
        #expect(s.phase == .authorization(user: nil))
        // A new USER starts over (RFC 1939 §7).
        #expect(isOK(s.receive(.user("alice"))))
    }

    @Test func lockedMaildropIsInUseAndStaysInAuthorization() {
        var s = session()
        _ = s.receive(.user("alice"))
        _ = s.receive(.pass("secret"))
        _ = s.authenticated(user: "alice@localhost")
        let answer = s.maildropOpened(.inUse)
        #expect(wire(answer).hasPrefix("-ERR [IN-USE] "))
        #expect(s.phase == .authorization(user: nil))
    }

    @Test func unreadableMaildropIsSysTemp() {
        var s = session()
        _ = s.receive(.user("alice"))
        _ = s.receive(.pass("secret"))
        _ = s.authenticated(user: "alice@localhost")
        #expect(isError(s.maildropOpened(.unavailable), code: .systemTemporary))
    }

    @Test func plaintextLoginWithoutTLSIsRefusedWithAuthCode() {
        // Not loopback, no TLS: USER, PASS and AUTH PLAIN are refused (RFC 2595 §2.1).
        var s = session(loopback: false)
        #expect(isError(s.receive(.user("alice")), code: .auth))
        #expect(isError(s.receive(.pass("secret")), code: .auth))
        #expect(isError(s.receive(.auth(mechanism: "PLAIN", initialResponse: nil)), code: .auth))
        // Loopback without the setting: refused too.
        var t = session(loopback: true, plaintextOnLoopback: false)
        #expect(isError(t.receive(.user("alice")), code: .auth))
        // Over TLS: allowed from anywhere.
        var u = session(tls: true, loopback: false, plaintextOnLoopback: false)
        #expect(isOK(u.receive(.user("alice"))))
    }

    @Test func apopIsRefusedCleanly() {
        var s = session()
        let answer = s.receive(.apop)
        #expect(isError(answer))
        guard case .reply = answer else { Issue.record("APOP closed the connection"); return }
        #expect(s.phase == .authorization(user: nil))
    }

    @Test func authPlainWithInitialResponse() {
        var s = session()
        let message = Base64.encode(SASLPlain.encode(SASLCredentials(username: "alice", password: "secret")))
        #expect(s.receive(.auth(mechanism: "PLAIN", initialResponse: message))
            == .authenticate(SASLCredentials(username: "alice", password: "secret")))
    }

    @Test func authPlainWithContinuation() {
        var s = session()
        let challenge = s.receive(.auth(mechanism: "PLAIN", initialResponse: nil))
        #expect(wire(challenge) == "+ \r\n")
        #expect(s.expectsSASLResponse)
        let message = Base64.encode(SASLPlain.encode(SASLCredentials(username: "alice", password: "secret")))
        #expect(s.receiveSASLResponse(message) == .authenticate(SASLCredentials(username: "alice", password: "secret")))
    }

    @Test func authCancelledBadBase64AndOtherIdentities() {
        var s = session()
        _ = s.receive(.auth(mechanism: "PLAIN", initialResponse: nil))
        #expect(isError(s.receiveSASLResponse(Array("*".utf8))))
        #expect(s.phase == .authorization(user: nil))
        #expect(isError(s.receive(.auth(mechanism: "PLAIN", initialResponse: Array("not base64!".utf8)))))
        let other = Base64.encode(SASLPlain.encode(SASLCredentials(authorizationIdentity: "bob", username: "alice", password: "x")))
        #expect(isError(s.receive(.auth(mechanism: "PLAIN", initialResponse: other)), code: .auth))
        #expect(isError(s.receive(.auth(mechanism: "CRAM-MD5", initialResponse: nil))))
        let list = response(s.receive(.auth(mechanism: nil, initialResponse: nil)))
        #expect(list?.status == .ok && list?.lines == ["PLAIN"])
    }

    @Test func stlsOnlyWhenOfferedAndNotYetOnTLS() {
        var s = session()
        #expect(s.receive(.startTLS) == .startTLS(.ok("Begin TLS negotiation")))
        s.tlsStarted()
        #expect(s.tls && s.phase == .authorization(user: nil))
        #expect(isError(s.receive(.startTLS)))
        var t = session(tlsAvailable: false)
        #expect(isError(t.receive(.startTLS)))
    }

    @Test func capaListsTheCapabilitiesOfTheState() {
        var s = session(loopback: false)
        let before = response(s.receive(.capabilities))?.lines ?? []
        #expect(before.contains("STLS") && before.contains("TOP") && before.contains("UIDL")
            && before.contains("RESP-CODES") && before.contains("PIPELINING") && before.contains("IMPLEMENTATION Tresor"))
        #expect(!before.contains("USER"), "USER offered where plaintext is refused")
        s.tlsStarted()
        let after = response(s.receive(.capabilities))?.lines ?? []
        #expect(after.contains("USER") && after.contains("SASL PLAIN") && !after.contains("STLS"))
        var t = inTransaction()
        let transaction = response(t.receive(.capabilities))?.lines ?? []
        #expect(transaction.contains("TOP") && !transaction.contains("USER") && !transaction.contains("STLS"))
    }

    @Test func transactionCommandsAreRefusedBeforeLogin() {
        let commands: [POP3Command] = [.stat, .list(nil), .list(1), .retrieve(1), .delete(1), .noop, .reset,
                                       .top(1, lines: 0), .uniqueIDList(nil), .uniqueIDList(1)]
        for command in commands {
            var s = session()
            #expect(isError(s.receive(command)), "\(command)")
            #expect(s.phase == .authorization(user: nil))
        }
    }

    @Test func quitInAuthorizationClosesWithoutUpdate() {
        var s = session()
        let answer = s.receive(.quit)
        guard case .close(let response) = answer else { Issue.record("not closed"); return }
        #expect(response.status == .ok)
        #expect(s.phase == .closed)
    }

    // MARK: - TRANSACTION

    @Test func statCountsOnlyUndeletedMessages() {
        var s = inTransaction()
        #expect(wire(s.receive(.stat)) == "+OK 3 157\r\n")
        _ = s.receive(.delete(1))
        #expect(wire(s.receive(.stat)) == "+OK 2 37\r\n")
    }

    @Test func listAllAndOne() {
        var s = inTransaction()
        #expect(wire(s.receive(.list(nil))) == "+OK 3 messages (157 octets)\r\n1 120\r\n2 30\r\n3 7\r\n.\r\n")
        #expect(wire(s.receive(.list(2))) == "+OK 2 30\r\n")
        #expect(isError(s.receive(.list(4))))
        #expect(isError(s.receive(.list(0))))
        _ = s.receive(.delete(2))
        #expect(isError(s.receive(.list(2))))
        #expect(wire(s.receive(.list(nil))) == "+OK 2 messages (127 octets)\r\n1 120\r\n3 7\r\n.\r\n")
    }

    @Test func uidlAllAndOne() {
        var s = inTransaction()
        #expect(wire(s.receive(.uniqueIDList(nil))).hasSuffix("\r\n1 100.1\r\n2 100.2\r\n3 100.3\r\n.\r\n"))
        #expect(wire(s.receive(.uniqueIDList(3))) == "+OK 3 100.3\r\n")
        _ = s.receive(.delete(3))
        #expect(isError(s.receive(.uniqueIDList(3))))
        #expect(isError(s.receive(.uniqueIDList(9))))
    }

    @Test func retrAndTopAskForTheMessage() {
        var s = inTransaction()
        #expect(s.receive(.retrieve(2)) == .sendMessage(Self.maildrop[1], status: .ok("30 octets"), bodyLines: nil))
        guard case .sendMessage(let message, _, let lines) = s.receive(.top(1, lines: 5)) else {
            Issue.record("TOP did not send"); return
        }
        #expect(message == Self.maildrop[0] && lines == 5)
        #expect(isError(s.receive(.retrieve(4))))
        #expect(isError(s.receive(.top(0, lines: 1))))
        _ = s.receive(.delete(2))
        #expect(isError(s.receive(.retrieve(2))))
        #expect(isError(s.receive(.top(2, lines: 0))))
        #expect(isError(s.messageUnreadable(), code: .systemTemporary))
    }

    @Test func deleTwiceIsAnErrorAndRsetUnmarks() {
        var s = inTransaction()
        #expect(isOK(s.receive(.delete(1))))
        #expect(isError(s.receive(.delete(1))))
        #expect(isError(s.receive(.delete(7))))
        #expect(s.deleted == [0])
        #expect(wire(s.receive(.reset)) == "+OK maildrop has 3 messages (157 octets)\r\n")
        #expect(s.deleted.isEmpty)
    }

    @Test func noopIsOK() {
        var s = inTransaction()
        #expect(wire(s.receive(.noop)) == "+OK\r\n")
    }

    @Test func loginCommandsAndStlsAreRefusedInTransaction() {
        for command: POP3Command in [.user("x"), .pass("y"), .apop, .auth(mechanism: "PLAIN", initialResponse: nil), .startTLS] {
            var s = inTransaction()
            #expect(isError(s.receive(command)), "\(command)")
            #expect(s.phase == .transaction(user: "alice@localhost"))
        }
    }

    // MARK: - UPDATE

    @Test func quitWithoutDeletionsClosesAtOnce() {
        var s = inTransaction()
        guard case .close(let response) = s.receive(.quit) else { Issue.record("not closed"); return }
        #expect(response.status == .ok)
    }

    @Test func quitCommitsTheMarkedMessagesInOrder() {
        var s = inTransaction()
        _ = s.receive(.delete(3))
        _ = s.receive(.delete(1))
        #expect(s.receive(.quit) == .commitDeletions(user: "alice@localhost", [Self.maildrop[0], Self.maildrop[2]]))
        #expect(s.phase == .update && !s.isIdle)
        #expect(isError(s.receive(.noop)), "commands in UPDATE")
        guard case .close(let response) = s.deletionsCommitted(true) else { Issue.record("not closed"); return }
        #expect(response.status == .ok)
        #expect(s.phase == .closed)
    }

    @Test func failedUpdateIsSysTemp() {
        var s = inTransaction()
        _ = s.receive(.delete(2))
        _ = s.receive(.quit)
        let answer = s.deletionsCommitted(false)
        guard case .close = answer else { Issue.record("not closed"); return }
        #expect(wire(answer).hasPrefix("-ERR [SYS/TEMP] "))
    }

    // MARK: - Errors and shutdown

    @Test func syntaxErrorsAreERR() {
        var s = session()
        #expect(isError(s.receive(POP3SyntaxError.unknownCommand)))
        #expect(isError(s.receive(POP3SyntaxError.lineTooLong)))
        #expect(isError(s.receive(POP3SyntaxError.bareLineEnding)))
        #expect(isError(s.receive(POP3SyntaxError.badArguments("usage: RETR msg"))))
    }

    @Test func tooManyErrorsClose() {
        var s = session(errorLimit: 3)
        _ = s.receive(.stat)
        _ = s.receive(.stat)
        guard case .close = s.receive(.stat) else { Issue.record("not closed after 3 errors"); return }
        #expect(s.phase == .closed)
    }

    @Test func shutdownClosesWithSysTempAndNoUpdate() {
        var s = inTransaction()
        _ = s.receive(.delete(1))
        let answer = s.shutdownRequested()
        guard case .close = answer else { Issue.record("not closed"); return }
        #expect(wire(answer).hasPrefix("-ERR [SYS/TEMP] "))
    }
}
