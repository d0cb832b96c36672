import ServerKit
import SMTPServer
import Testing

/// State-machine scenarios, each named after the rule it checks (STYLE.md §17).
@Suite struct SMTPSessionTests {
    private func session(_ listener: SMTPListenerKind = .mx, tls: Bool = false, tlsAvailable: Bool = true,
                         loopback: Bool = false, plaintextOnLoopback: Bool = false,
                         limits: SMTPLimits = SMTPLimits()) -> SMTPSession {
        SMTPSession(settings: .init(hostname: "mx.test", listener: listener, limits: limits, tlsAvailable: tlsAvailable,
                                    allowPlaintextAuthOnLoopback: plaintextOnLoopback),
                    tls: tls, isLoopback: loopback)
    }

    private func code(_ action: SMTPSession.Action) -> Int? {
        switch action {
        case .reply(let reply), .close(let reply): reply.code
        default: nil
        }
    }

    private func ehloKeywords(_ action: SMTPSession.Action) -> [String] {
        guard case .reply(let reply) = action else { return [] }
        return reply.text.split(separator: "\n").dropFirst().map(String.init)
    }

    /// Through MAIL and one accepted RCPT.
    private func inTransaction(_ s: inout SMTPSession) {
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receive(.mail(reversePath: "a@c.test", parameters: MailParameters(), nonASCII: false)) == .checkSender("a@c.test"))
        #expect(code(s.senderChecked(.accept)) == 250)
        #expect(s.receive(.recipient(forwardPath: "b@mx.test", nonASCII: false)) == .checkRecipient("b@mx.test"))
        #expect(code(s.recipientChecked(.accept)) == 250)
    }

    @Test func greetingIs220AndOverLimitClientsGet421() {
        var s = session()
        #expect(code(s.connected(exceedsPerAddressLimit: false)) == 220)
        var t = session()
        guard case .close(let reply) = t.connected(exceedsPerAddressLimit: true) else { Issue.record("no close"); return }
        #expect(reply.code == 421)
    }

    @Test func mailBeforeHelloIsOutOfSequence() {
        var s = session()
        #expect(code(s.receive(.mail(reversePath: "", parameters: MailParameters(), nonASCII: false))) == 503)
    }

    @Test func recipientBeforeMailIsOutOfSequence() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(code(s.receive(.recipient(forwardPath: "b@mx.test", nonASCII: false))) == 503)
    }

    @Test func dataBeforeRecipientIsOutOfSequence() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(code(s.receive(.data)) == 503)
        _ = s.receive(.mail(reversePath: "a@c.test", parameters: MailParameters(), nonASCII: false))
        _ = s.senderChecked(.accept)
        #expect(code(s.receive(.data)) == 503)
    }

    @Test func nestedMailIsOutOfSequence() {
        var s = session()
        inTransaction(&s)
        #expect(code(s.receive(.mail(reversePath: "x@c.test", parameters: MailParameters(), nonASCII: false))) == 503)
    }

    @Test func fullTransactionDeliversTheEnvelope() {
        var s = session()
        inTransaction(&s)
        #expect(s.receive(.data) == .receiveData(.startMailInput))
        guard case .deliver(let envelope) = s.dataReceived(.complete(size: 10)) else { Issue.record("no deliver"); return }
        #expect(envelope.mailFrom == "a@c.test")
        #expect(envelope.recipients == ["b@mx.test"])
        #expect(envelope.body == .sevenBit)
        #expect(s.delivered(.ok) == .reply(.ok))
        #expect(s.phase == .greeted)
        // A second transaction may follow on the same session (§3.3).
        #expect(s.receive(.mail(reversePath: "", parameters: MailParameters(), nonASCII: false)) == .checkSender(""))
    }

    @Test func rejectedRecipientsAreNotInTheEnvelope() {
        var s = session()
        inTransaction(&s)
        _ = s.receive(.recipient(forwardPath: "nobody@mx.test", nonASCII: false))
        #expect(code(s.recipientChecked(.reject(SMTPReply(550, "5.1.1", "User unknown")))) == 550)
        _ = s.receive(.data)
        guard case .deliver(let envelope) = s.dataReceived(.complete(size: 1)) else { Issue.record("no deliver"); return }
        #expect(envelope.recipients == ["b@mx.test"])
    }

    @Test func rejectedSenderEndsTheTransaction() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: true))
        _ = s.receive(.mail(reversePath: "x@c.test", parameters: MailParameters(), nonASCII: false))
        #expect(code(s.senderChecked(.reject(SMTPReply(553, "5.7.1", "Not your address")))) == 553)
        #expect(code(s.receive(.recipient(forwardPath: "b@mx.test", nonASCII: false))) == 503)
    }

    @Test func resetAbortsTheTransaction() {
        var s = session()
        inTransaction(&s)
        #expect(s.receive(.reset) == .reply(.ok))
        #expect(code(s.receive(.data)) == 503)
    }

    @Test func helloAbortsTheTransaction() {
        var s = session()
        inTransaction(&s)
        _ = s.receive(.hello(domain: "again.test", extended: true))
        #expect(code(s.receive(.data)) == 503)
    }

    @Test func tooManyRecipientsIs452() {
        var limits = SMTPLimits()
        limits.recipients = 2
        var s = session(limits: limits)
        inTransaction(&s)
        _ = s.receive(.recipient(forwardPath: "c@mx.test", nonASCII: false))
        _ = s.recipientChecked(.accept)
        #expect(s.receive(.recipient(forwardPath: "d@mx.test", nonASCII: false)) == .reply(.tooManyRecipients))
    }

    @Test func declaredSizeOverTheLimitIs552() {
        var limits = SMTPLimits()
        limits.messageSize = 1000
        var s = session(limits: limits)
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receive(.mail(reversePath: "", parameters: MailParameters(size: 1001), nonASCII: false)) == .reply(.messageTooBig))
        #expect(s.receive(.mail(reversePath: "", parameters: MailParameters(size: 1000), nonASCII: false)) == .checkSender(""))
    }

    @Test func oversizedDataIs552AndEndsTheTransaction() {
        var s = session()
        inTransaction(&s)
        _ = s.receive(.data)
        #expect(s.dataReceived(.tooLarge(size: 1 << 30)) == .reply(.messageTooBig))
        #expect(s.phase == .greeted)
    }

    @Test func bareLineEndingInDataCloses() {
        var s = session()
        inTransaction(&s)
        _ = s.receive(.data)
        #expect(s.dataReceived(.bareLineEnding) == .close(.bareLineEndingInData))
    }

    @Test func nonASCIIAddressNeedsSMTPUTF8() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receive(.mail(reversePath: "j\u{F6}rg@c.test", parameters: MailParameters(), nonASCII: true)) == .reply(.needsSMTPUTF8))
        #expect(s.receive(.mail(reversePath: "a@c.test", parameters: MailParameters(), nonASCII: false)) == .checkSender("a@c.test"))
        _ = s.senderChecked(.accept)
        #expect(s.receive(.recipient(forwardPath: "j\u{F6}rg@mx.test", nonASCII: true)) == .reply(.needsSMTPUTF8))
    }

    @Test func smtputf8IsCarriedIntoTheEnvelopeAndReceivedProtocol() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: true))
        _ = s.receive(.mail(reversePath: "j\u{F6}rg@c.test", parameters: MailParameters(smtputf8: true), nonASCII: true))
        _ = s.senderChecked(.accept)
        _ = s.receive(.recipient(forwardPath: "b@mx.test", nonASCII: false))
        _ = s.recipientChecked(.accept)
        _ = s.receive(.data)
        guard case .deliver(let envelope) = s.dataReceived(.complete(size: 1)) else { Issue.record("no deliver"); return }
        #expect(envelope.utf8)
        #expect(s.receivedProtocol(utf8: true) == "UTF8SMTP")
    }

    @Test func authRequiredOnSubmission() {
        var s = session(.submission, tls: true)
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receive(.mail(reversePath: "a@c.test", parameters: MailParameters(), nonASCII: false)) == .reply(.authenticationRequired))
        #expect(s.receive(.auth(.plain, initialResponse: SASLPlain.encode(.init(username: "a", password: "p"))))
                == .authenticate(SASLCredentials(username: "a", password: "p")))
        #expect(s.authenticated(user: "a@c.test") == .reply(.authenticationSucceeded))
        #expect(s.receive(.mail(reversePath: "a@c.test", parameters: MailParameters(), nonASCII: false)) == .checkSender("a@c.test"))
        #expect(s.info(clientAddress: "192.0.2.1").authenticatedUser == "a@c.test")
        #expect(s.receivedProtocol(utf8: false) == "ESMTPSA")
    }

    @Test func authOverPlaintextNeedsEncryption() {
        var s = session(.submission)
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receive(.auth(.plain, initialResponse: nil)) == .reply(.encryptionRequired))
    }

    @Test func authOnLoopbackOnlyWhenAllowed() {
        var allowed = session(.submission, loopback: true, plaintextOnLoopback: true)
        #expect(ehloKeywords(allowed.receive(.hello(domain: "c.test", extended: true))).contains("AUTH PLAIN LOGIN"))
        #expect(allowed.receive(.auth(.plain, initialResponse: nil)) == .reply(SMTPReply(334, nil, "")))
        var refused = session(.submission, loopback: true, plaintextOnLoopback: false)
        #expect(!ehloKeywords(refused.receive(.hello(domain: "c.test", extended: true))).contains("AUTH PLAIN LOGIN"))
        #expect(refused.receive(.auth(.plain, initialResponse: nil)) == .reply(.encryptionRequired))
    }

    @Test func authLoginAsksUsernameThenPassword() {
        var s = session(.submission, tls: true)
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receive(.auth(.login, initialResponse: nil)) == .reply(SMTPReply(334, nil, "VXNlcm5hbWU6")))
        #expect(s.expectsSASLResponse)
        #expect(s.receiveSASLResponse(Array("Ym9i".utf8)) == .reply(SMTPReply(334, nil, "UGFzc3dvcmQ6")))
        #expect(s.receiveSASLResponse(Array("c2VjcmV0".utf8)) == .authenticate(SASLCredentials(username: "bob", password: "secret")))
        #expect(s.authenticated(user: nil) == .reply(.authenticationFailed))
        #expect(s.authenticatedUser == nil)
    }

    @Test func authCancelledWithStar() {
        var s = session(.submission, tls: true)
        _ = s.receive(.hello(domain: "c.test", extended: true))
        _ = s.receive(.auth(.plain, initialResponse: nil))
        #expect(s.receiveSASLResponse(Array("*".utf8)) == .reply(.authenticationCancelled))
        #expect(!s.expectsSASLResponse)
        _ = s.receive(.auth(.plain, initialResponse: nil))
        #expect(s.receiveSASLResponse(Array("!!!".utf8)) == .reply(.invalidSASLResponse))
    }

    @Test func authTwiceIsOutOfSequence() {
        var s = session(.submission, tls: true)
        _ = s.receive(.hello(domain: "c.test", extended: true))
        _ = s.receive(.auth(.plain, initialResponse: SASLPlain.encode(.init(username: "a", password: "p"))))
        _ = s.authenticated(user: "a")
        #expect(code(s.receive(.auth(.plain, initialResponse: nil))) == 503)
    }

    @Test func authorizationIdentityOfSomeoneElseIsRefused() {
        var s = session(.submission, tls: true)
        _ = s.receive(.hello(domain: "c.test", extended: true))
        let message = SASLPlain.encode(.init(authorizationIdentity: "boss", username: "a", password: "p"))
        #expect(code(s.receive(.auth(.plain, initialResponse: message))) == 535)
    }

    @Test func startTLSForgetsHello() {
        var s = session(.submission)
        #expect(ehloKeywords(s.receive(.hello(domain: "c.test", extended: true))).contains("STARTTLS"))
        #expect(s.receive(.startTLS) == .startTLS(.readyToStartTLS))
        s.tlsStarted()
        #expect(s.helo == nil)
        #expect(code(s.receive(.mail(reversePath: "", parameters: MailParameters(), nonASCII: false))) == 503)
        let keywords = ehloKeywords(s.receive(.hello(domain: "c.test", extended: true)))
        #expect(!keywords.contains("STARTTLS"))
        #expect(keywords.contains("AUTH PLAIN LOGIN"))
        #expect(code(s.receive(.startTLS)) == 503)
    }

    @Test func startTLSNeedsHelloAndNoTransaction() {
        var s = session()
        #expect(code(s.receive(.startTLS)) == 503)
        inTransaction(&s)
        #expect(code(s.receive(.startTLS)) == 503)
        var none = session(tlsAvailable: false)
        _ = none.receive(.hello(domain: "c.test", extended: true))
        #expect(code(none.receive(.startTLS)) == 502)
    }

    @Test func ehloAdvertisesTheExtensions() {
        var s = session()
        let keywords = ehloKeywords(s.receive(.hello(domain: "c.test", extended: true)))
        #expect(keywords == ["PIPELINING", "SIZE 52428800", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "STARTTLS"])
    }

    @Test func bdatChunksThenLastDelivers() {
        var s = session()
        inTransaction(&s)
        #expect(s.receive(.binaryData(size: 5, last: false)) == .receiveChunk(size: 5, keep: true))
        #expect(s.chunkReceived() == .reply(.chunkReceived(5)))
        #expect(code(s.receive(.data)) == 503)  // RFC 3030: no DATA after BDAT
        #expect(s.receive(.binaryData(size: 3, last: true)) == .receiveChunk(size: 3, keep: true))
        guard case .deliver = s.chunkReceived() else { Issue.record("no deliver"); return }
    }

    @Test func bdatOutOfSequenceStillConsumesTheChunk() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receive(.binaryData(size: 7, last: true)) == .receiveChunk(size: 7, keep: false))
        #expect(code(s.chunkReceived()) == 503)
        #expect(s.phase == .greeted)
    }

    @Test func bdatOverTheLimitIs552() {
        var limits = SMTPLimits()
        limits.messageSize = 10
        var s = session(limits: limits)
        inTransaction(&s)
        #expect(s.receive(.binaryData(size: 8, last: false)) == .receiveChunk(size: 8, keep: true))
        _ = s.chunkReceived()
        #expect(s.receive(.binaryData(size: 8, last: true)) == .receiveChunk(size: 8, keep: false))
        #expect(s.chunkReceived() == .reply(.messageTooBig))
        #expect(s.phase == .greeted)
    }

    @Test func binaryMIMERequiresBDAT() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: true))
        _ = s.receive(.mail(reversePath: "", parameters: MailParameters(body: .binaryMIME), nonASCII: false))
        _ = s.senderChecked(.accept)
        _ = s.receive(.recipient(forwardPath: "b@mx.test", nonASCII: false))
        _ = s.recipientChecked(.accept)
        #expect(code(s.receive(.data)) == 503)
    }

    @Test func unknownCommandsAre500AndTooManyErrorsClose() {
        var limits = SMTPLimits()
        limits.errors = 3
        var s = session(limits: limits)
        #expect(code(s.receive(.unknownCommand)) == 500)
        #expect(code(s.receive(.lineTooLong)) == 500)
        guard case .close(let reply) = s.receive(.bareLineEnding) else { Issue.record("no close"); return }
        #expect(reply.code == 421)
        #expect(s.phase == .closed)
    }

    @Test func garbageBeforeHelloDoesNotBreakTheSession() {
        var s = session()
        #expect(code(s.receive(.unknownCommand)) == 500)
        #expect(code(s.receive(.nulByte)) == 500)
        #expect(code(s.receive(.hello(domain: "c.test", extended: true))) == 250)
        #expect(s.receive(.mail(reversePath: "", parameters: MailParameters(), nonASCII: false)) == .checkSender(""))
    }

    @Test func verifyHelpNoopAndQuit() {
        var s = session()
        #expect(code(s.receive(.verify("bob"))) == 252)
        #expect(code(s.receive(.help(nil))) == 214)
        #expect(s.receive(.noop) == .reply(.ok))
        #expect(s.receive(.quit) == .close(.bye))
    }

    @Test func shutdownClosesOnlyIdleSessions() {
        var s = session()
        inTransaction(&s)
        #expect(s.shutdownRequested() == nil)
        _ = s.receive(.reset)
        guard case .close(let reply) = s.shutdownRequested() else { Issue.record("no close"); return }
        #expect(reply.code == 421)
    }

    @Test func helloIsPlainSMTPInReceived() {
        var s = session()
        _ = s.receive(.hello(domain: "c.test", extended: false))
        #expect(s.receivedProtocol(utf8: false) == "SMTP")
        _ = s.receive(.hello(domain: "c.test", extended: true))
        #expect(s.receivedProtocol(utf8: false) == "ESMTP")
    }
}
